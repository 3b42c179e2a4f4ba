import { blurPlane } from '../prep/masks.js';
import { templatePoints } from '../prep/template.js';
import { lumaPlane } from './detail-change.js';

/** Soft limit (levels) on the lift: a shadow of a few to 20 levels lifts, a dark beard is only lightened. */
const LIFT_LIMIT = 25;

/**
 * A man's beard shadow lifted toward his cheeks' lightness, as a lightness change per crop pixel (size x size,
 * 0..255 levels, `weight` of the full lift). The beard region is the skin (`skin`, 0..1: the face mask without the
 * eyes, nose and mouth) from just under the nose down, and the cheeks the skin between the eyes and the nose's tip,
 * beside it. Only what is darker than the cheeks (broad lightness, blurred by 4 % of the face's width) lifts: a grey
 * beard or a lit chin stays as it is.
 */
export function beardLift(crop: ArrayLike<number>, size: number, skin: Float32Array, faceWidth: number, weight: number): Float32Array {
  const n = size * size;
  const out = new Float32Array(n);
  if (weight <= 0) return out;
  const broad = blurPlane(lumaPlane(crop, n), size, Math.max(1, 0.04 * faceWidth));
  const pts = templatePoints(size);
  const eyeY = (pts[0]![1] + pts[1]![1]) / 2;
  const noseY = pts[2]![1];
  const mouthY = (pts[3]![1] + pts[4]![1]) / 2;
  const cx = pts[2]![0];
  // The cheeks: between the eyes and the nose tip, beside the nose.
  let sum = 0;
  let w = 0;
  for (let y = Math.ceil(eyeY + 0.3 * (noseY - eyeY)); y < noseY; y++) {
    for (let x = 0; x < size; x++) {
      if (Math.abs(x + 0.5 - cx) < 0.12 * size) continue;
      const s = skin[y * size + x]!;
      sum += s * broad[y * size + x]!;
      w += s;
    }
  }
  if (w < 1) return out;
  const cheeks = sum / w;
  const top = noseY + 0.4 * (mouthY - noseY);
  const ramp = Math.max(1, 0.5 * (mouthY - noseY));
  for (let y = 0; y < size; y++) {
    const below = Math.min(1, Math.max(0, (y + 0.5 - top) / ramp));
    if (below === 0) continue;
    for (let x = 0; x < size; x++) {
      const i = y * size + x;
      const dark = cheeks - broad[i]!;
      if (dark <= 0) continue;
      out[i] = weight * below * skin[i]! * LIFT_LIMIT * Math.tanh(dark / LIFT_LIMIT);
    }
  }
  return out;
}
