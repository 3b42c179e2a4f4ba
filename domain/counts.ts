import type { DecadeBin } from './age-bins.js';
import type { CropStatus } from './crop-status.js';
import type { Gender } from './gender.js';
import type { Split } from './split.js';

/** The catalogue (or one dataset) counted: images by gender, decade (images without an age are in none) and split. */
export interface Counts {
  images: number;
  byGender: Record<Gender, number>;
  byAgeBin: Record<DecadeBin, number>;
  /** Images with age and gender crossed, for the chart on the Datasets screen. */
  byAgeBinGender: Record<DecadeBin, Record<Gender, number>>;
  bySplit: Record<Split | 'none', number>;
  /** Crops by review status. */
  byStatus: Record<CropStatus, number>;
}
