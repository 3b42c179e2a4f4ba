/** [x, y] in continuous pixel coordinates: pixel (i, j) covers [i, i+1) x [j, j+1). */
export type Point = readonly [x: number, y: number];

/** The five points a face is aligned by, in source pixels; left and right are the image's left and right. */
export interface Keypoints {
  leftEye: Point;
  rightEye: Point;
  nose: Point;
  mouthLeft: Point;
  mouthRight: Point;
}

/** The five points in their fixed order (the order of `--points x1,y1,...` and of stored arrays). */
export const KEYPOINT_NAMES = ['leftEye', 'rightEye', 'nose', 'mouthLeft', 'mouthRight'] as const satisfies readonly (keyof Keypoints)[];
export type KeypointName = (typeof KEYPOINT_NAMES)[number];
