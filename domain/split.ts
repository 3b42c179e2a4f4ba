/** Where an image is used: training, validation or test (by subject when subjects are known). */
export const SPLITS = ['train', 'val', 'test'] as const;
export type Split = (typeof SPLITS)[number];
