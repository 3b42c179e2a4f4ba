/** A crop's review status: every prepared crop starts pending until a curator accepts or rejects it. */
export const CROP_STATUSES = ['pending', 'accepted', 'rejected', 'needs-fix'] as const;
export type CropStatus = (typeof CROP_STATUSES)[number];
