/** The licence, terms and citation of each dataset layout Chronoface imports, for dataset and model cards. */
import type { DatasetFormat } from './dataset-format.js';

export interface DatasetLicence {
  /** The dataset's name as its authors spell it. */
  readonly title: string;
  readonly licence: string;
  readonly terms: string;
  readonly url: string | null;
  /** BibTeX, or null when the data is the user's own. */
  readonly citation: string | null;
  /** Whether commercial use is ruled out. */
  readonly nonCommercial: boolean;
}

export const DATASET_LICENCES: Readonly<Record<DatasetFormat, DatasetLicence>> = {
  utkface: {
    title: 'UTKFace',
    licence: 'UTKFace licence: non-commercial research purposes only',
    terms: 'Available for non-commercial research purposes only; the copyright of the images remains with their original owners.',
    url: 'https://susanqq.github.io/UTKFace/',
    citation: `@inproceedings{zhifei2017cvpr,
  title={Age Progression/Regression by Conditional Adversarial Autoencoder},
  author={Zhang, Zhifei and Song, Yang and Qi, Hairong},
  booktitle={IEEE Conference on Computer Vision and Pattern Recognition (CVPR)},
  year={2017}
}`,
    nonCommercial: true,
  },
  'imdb-wiki': {
    title: 'IMDB-WIKI',
    licence: 'IMDB-WIKI licence: academic research purposes only',
    terms: 'Made available for academic research purposes only; no commercial use. The images are crawled from IMDb and Wikipedia and remain their owners\'.',
    url: 'https://data.vision.ee.ethz.ch/cvl/rrothe/imdb-wiki/',
    citation: `@article{Rothe-IJCV-2018,
  author={Rasmus Rothe and Radu Timofte and Luc Van Gool},
  title={Deep expectation of real and apparent age from a single image without facial landmarks},
  journal={International Journal of Computer Vision},
  volume={126}, number={2-4}, pages={144--157},
  year={2018}
}`,
    nonCommercial: true,
  },
  morph2: {
    title: 'MORPH Album 2',
    licence: 'MORPH academic licence (UNCW)',
    terms: 'Licensed by the University of North Carolina Wilmington for non-commercial academic research under its signed licence agreement; redistribution of the images is not permitted without it.',
    url: 'https://uncw.edu/myuncw/research/innovation-commercialization/technology-portfolio/morph',
    citation: `@inproceedings{ricanek2006morph,
  title={MORPH: A Longitudinal Image Database of Normal Adult Age-Progression},
  author={Ricanek, Karl and Tesafaye, Tamirat},
  booktitle={7th International Conference on Automatic Face and Gesture Recognition (FGR06)},
  pages={341--345},
  year={2006}
}`,
    nonCommercial: true,
  },
  fgnet: {
    title: 'FG-NET Aging Database',
    licence: 'FG-NET: research use',
    terms: 'Distributed for research use in face and gesture recognition; no commercial use.',
    url: 'https://yanweifu.github.io/FG_NET_data/',
    citation: `@article{lanitis2002toward,
  title={Toward automatic simulation of aging effects on face images},
  author={Lanitis, Andreas and Taylor, Christopher J. and Cootes, Timothy F.},
  journal={IEEE Transactions on Pattern Analysis and Machine Intelligence},
  volume={24}, number={4}, pages={442--455},
  year={2002}
}`,
    nonCommercial: true,
  },
  cacd: {
    title: 'Cross-Age Celebrity Dataset (CACD)',
    licence: 'CACD: research use only',
    terms: 'Provided for research purposes only; the images are collected from the Internet and remain their owners\'.',
    url: 'https://bcsiriuschen.github.io/CARC/',
    citation: `@inproceedings{chen2014cross,
  title={Cross-Age Reference Coding for Age-Invariant Face Recognition and Retrieval},
  author={Chen, Bor-Chun and Chen, Chu-Song and Hsu, Winston H.},
  booktitle={European Conference on Computer Vision (ECCV)},
  year={2014}
}`,
    nonCommercial: true,
  },
  csv: {
    title: 'A dataset listed in a CSV',
    licence: 'unknown: the licence of whoever supplied the photos',
    terms: 'Imported from a CSV of the curator\'s; its photos keep the licence and terms under which they were obtained.',
    url: null,
    citation: null,
    nonCommercial: false,
  },
  photos: {
    title: 'A folder of photos',
    licence: 'unknown: the licence of whoever supplied the photos',
    terms: 'The photos keep the licence and terms under which they were obtained.',
    url: null,
    citation: null,
    nonCommercial: false,
  },
};

/** The licence line of data drawn from these dataset layouts (a dataset card's, or the card of a model trained on it). */
export function inheritedLicence(formats: readonly DatasetFormat[]): string {
  const names = [...new Set(formats)].map((f) => DATASET_LICENCES[f].licence);
  return names.length ? names.join('; ') : 'unknown';
}
