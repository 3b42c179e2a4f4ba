import type { Keypoints, Point } from '../../../../contract/types.js';

/**
 * chronoface-v1's five points in the unit square (ml/prep/template.ts, which the renderer may not import): eyes 27 %
 * of the side apart at 42 % from the top, then nose tip and mouth corners in ArcFace's proportions.
 */
export const TEMPLATE_UNIT: Readonly<Record<keyof Keypoints, Point>> = {
  leftEye: [0.365, 0.4207],
  rightEye: [0.635, 0.4193],
  nose: [0.5009, 0.5743],
  mouthLeft: [0.3899, 0.7324],
  mouthRight: [0.6135, 0.7311],
};

/** Share of the photo's shorter side the pre-placed face's crop square covers. */
const FACE_SHARE = 0.6;

/**
 * Five points of a plausible face centred in a width x height photo, for a photo where the detector found none: the
 * template scaled into a square of 60 % of the shorter side, a little above the centre (portraits frame heads high).
 */
export function defaultFacePoints(width: number, height: number): Keypoints {
  const side = FACE_SHARE * Math.min(width, height);
  const x0 = (width - side) / 2;
  const y0 = Math.max(0, height * 0.45 - side * 0.5);
  const at = (p: Point): Point => [Math.round((x0 + p[0] * side) * 10) / 10, Math.round((y0 + p[1] * side) * 10) / 10];
  return {
    leftEye: at(TEMPLATE_UNIT.leftEye),
    rightEye: at(TEMPLATE_UNIT.rightEye),
    nose: at(TEMPLATE_UNIT.nose),
    mouthLeft: at(TEMPLATE_UNIT.mouthLeft),
    mouthRight: at(TEMPLATE_UNIT.mouthRight),
  };
}

/** "12 photos with no face", for the Review screen's toggle. */
export function noFaceLabel(total: number): string {
  return total === 1 ? '1 photo with no face' : `${total} photos with no face`;
}
