import { KEYPOINT_NAMES, type Keypoints, type Point } from '../../../../contract/types.js';

export const POINT_LABELS: Record<keyof Keypoints, string> = {
  leftEye: 'Left eye',
  rightEye: 'Right eye',
  nose: 'Nose tip',
  mouthLeft: 'Mouth left corner',
  mouthRight: 'Mouth right corner',
};

export function movePoint(kp: Keypoints, name: keyof Keypoints, to: Point, width: number, height: number): Keypoints {
  const x = Math.min(Math.max(to[0], 0), width);
  const y = Math.min(Math.max(to[1], 0), height);
  return { ...kp, [name]: [Math.round(x * 10) / 10, Math.round(y * 10) / 10] as const };
}

export function nudgePoint(kp: Keypoints, name: keyof Keypoints, dx: number, dy: number, width: number, height: number): Keypoints {
  const p = kp[name];
  return movePoint(kp, name, [p[0] + dx, p[1] + dy], width, height);
}

export function samePoints(a: Keypoints | null, b: Keypoints | null): boolean {
  if (!a || !b) return a === b;
  return KEYPOINT_NAMES.every((k) => Math.abs(a[k][0] - b[k][0]) < 1e-6 && Math.abs(a[k][1] - b[k][1]) < 1e-6);
}

/** A viewBox around the face: the five points' bounds, widened so the whole head shows, clipped to the photo. */
export function faceViewBox(kp: Keypoints, width: number, height: number, margin = 1.6): [number, number, number, number] {
  const xs = KEYPOINT_NAMES.map((k) => kp[k][0]);
  const ys = KEYPOINT_NAMES.map((k) => kp[k][1]);
  const cx = (Math.min(...xs) + Math.max(...xs)) / 2;
  const cy = (Math.min(...ys) + Math.max(...ys)) / 2;
  const span = Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys), 8);
  const side = Math.min(Math.max(width, height), span * (1 + 2 * margin));
  const w = Math.min(side, width);
  const h = Math.min(side, height);
  const x = Math.min(Math.max(cx - w / 2, 0), width - w);
  const y = Math.min(Math.max(cy - h / 2, 0), height - h);
  return [x, y, w, h];
}
