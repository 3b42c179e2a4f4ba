import type { CropData } from '../../db/crops.js';
import type { Keypoints } from '../../domain/keypoints.js';

export const CROP_KEYPOINTS: Keypoints = { leftEye: [20, 24], rightEye: [44, 24], nose: [32, 36], mouthLeft: [24, 48], mouthRight: [40, 48] };

/** What preparation would store for a 64 px crop of the image, without running it; `more` overrides. */
export function cropData(imageId: number, more: Partial<CropData> = {}): CropData {
  return {
    imageId,
    faceId: null,
    file: `crops/${imageId}.png`,
    size: 64,
    transform: [1, 0, 0, 0, 1, 0],
    inverse: [1, 0, 0, 0, 1, 0],
    keypoints: CROP_KEYPOINTS,
    settings: {},
    quality: 0.5,
    signals: {},
    flags: [],
    phash: '0'.repeat(16),
    ...more,
  };
}
