import type { Keypoints } from '../../domain/keypoints.js';
import { fitSimilarity, type Affine, type Point } from './geometry.js';

/** ArcFace's 112 px five-point template (eyes, nose tip, mouth corners). */
export const ARCFACE_112: readonly Point[] = [
  [38.2946, 51.6963],
  [73.5318, 51.5014],
  [56.0252, 71.7366],
  [41.5493, 92.3655],
  [70.7299, 92.2041],
];

/** chronoface-v1: ArcFace's proportions, but looser so hair, forehead and chin stay in the crop (ageing shows there):
 *  inter-ocular distance 27 % of the side, eyes at 42 % from the top. Unit square coordinates. */
const EYE_DISTANCE = 0.27;
const EYE_HEIGHT = 0.42;

export const TEMPLATE_V1: readonly Point[] = (() => {
  const [le, re] = [ARCFACE_112[0]!, ARCFACE_112[1]!];
  const k = EYE_DISTANCE / Math.hypot(re[0] - le[0], re[1] - le[1]);
  const cx = (le[0] + re[0]) / 2;
  const cy = (le[1] + re[1]) / 2;
  return ARCFACE_112.map(([x, y]) => [0.5 + (x - cx) * k, EYE_HEIGHT + (y - cy) * k] as Point);
})();

export function templatePoints(size: number): Point[] {
  return TEMPLATE_V1.map(([x, y]) => [x * size, y * size]);
}

/** Source px -> crop px similarity that best maps the five keypoints onto the template. */
export function alignmentTransform(k: Keypoints, size: number): Affine {
  const src: Point[] = [k.leftEye, k.rightEye, k.nose, k.mouthLeft, k.mouthRight];
  return fitSimilarity(src, templatePoints(size));
}
