import type { DecadeBin } from './age-bins.js';
import type { CropFlag } from './crop-flags.js';
import type { CropStatus } from './crop-status.js';
import type { Gender } from './gender.js';
import type { Split } from './split.js';

/** Which crops the review queue shows; an empty or absent list does not restrict. */
export interface ReviewFilter {
  datasetId?: number;
  status?: CropStatus[];
  ageBins?: DecadeBin[];
  genders?: Gender[];
  /** 'none' matches images without a split. */
  splits?: (Split | 'none')[];
  /** A crop matches when it carries at least one of these flags. */
  flags?: CropFlag[];
  /** true: only manually edited crops; false: only unedited. */
  edited?: boolean;
}

/** quality-asc puts the worst crops first (the review queue); disagreement = |estimated age - label| descending. */
export const REVIEW_SORTS = ['quality-asc', 'quality-desc', 'id', 'age-disagreement'] as const;
export type ReviewSort = (typeof REVIEW_SORTS)[number];
