/** A face in a photo: where it is, its points, and how prominent it is. */
import type { Keypoints, Point } from './keypoints.js';

/** [x, y, width, height] in source pixels. */
export type Box = readonly [x: number, y: number, w: number, h: number];

/** A face of a photo as the catalogue knows it: found by the detector, placed by hand, or the dataset's ground truth. */
export interface FaceInfo {
  id: number;
  index: number;
  score: number | null;
  box: Box | null;
  keypoints: Keypoints | null;
  /** 478 MediaPipe points (detected) or 68 points (FG-NET ground truth), source pixels. */
  landmarks: Point[];
  isPrimary: boolean;
  source: 'detected' | 'ground-truth';
}

/** How prominent a face is in a photo: largest and most central first (the face that gets the crop). */
export function prominence(box: Box, width: number, height: number): number {
  const [x, y, w, h] = box;
  const area = (w * h) / (width * height);
  const off = Math.hypot((x + w / 2) / width - 0.5, (y + h / 2) / height - 0.5) / Math.SQRT1_2;
  return area * (1 - 0.5 * Math.min(1, off));
}
