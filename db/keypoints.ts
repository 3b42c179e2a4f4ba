/** The five points as stored in the catalogue's JSON columns. */
import { KEYPOINT_NAMES, type Keypoints, type Point } from '../domain/keypoints.js';
import { parseJson } from './catalogue.js';

/** Five points stored either as {leftEye: [x, y], ...} or as [[x, y] x5] in that order. */
export function parseKeypoints(json: string | null | undefined): Keypoints | null {
  const v = parseJson<unknown>(json, null);
  if (v === null || typeof v !== 'object') return null;
  const get = (i: number, name: string): Point | null => {
    const p = Array.isArray(v) ? (v as unknown[])[i] : (v as Record<string, unknown>)[name];
    if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number') return [p[0], p[1]];
    if (p && typeof p === 'object' && typeof (p as { x?: unknown }).x === 'number') return [(p as { x: number }).x, (p as { y: number }).y];
    return null;
  };
  const [leftEye, rightEye, nose, mouthLeft, mouthRight] = KEYPOINT_NAMES.map((n, i) => get(i, n));
  if (!leftEye || !rightEye || !nose || !mouthLeft || !mouthRight) return null;
  return { leftEye, rightEye, nose, mouthLeft, mouthRight };
}
