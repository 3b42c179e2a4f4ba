/** The dataset layouts Chronoface imports; 'photos' is a folder of unlabelled photos. */
export const DATASET_FORMATS = ['morph2', 'utkface', 'fgnet', 'csv', 'imdb-wiki', 'cacd', 'photos'] as const;
export type DatasetFormat = (typeof DATASET_FORMATS)[number];
