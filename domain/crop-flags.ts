/** Quality flags that preparation stores on a crop (docs/preparation.md, "What happens to a photo", step 6). */
export const QUALITY_FLAGS = ['no-face', 'several-faces', 'profile', 'tiny', 'blurry', 'dark', 'duplicate'] as const;
export type QualityFlag = (typeof QUALITY_FLAGS)[number];

/**
 * The flags a crop can be filtered by: the stored ones, and 'mislabel' when the estimated age/gender disagrees with the
 * label (or the dataset's metadata says so). Flag i is bit 1 << i in crops.flag_bits and review_flags (migration 5):
 * never reorder, only append.
 */
export const CROP_FLAGS = [...QUALITY_FLAGS, 'mislabel'] as const;
export type KnownCropFlag = (typeof CROP_FLAGS)[number];
export type CropFlag = KnownCropFlag | (string & {});
