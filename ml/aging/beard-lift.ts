import { blurPlane } from '../prep/masks.js';
import { lumaPlane } from './lab.js';
import { belowNose, cheekPixels } from './lower-face.js';

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
  // The cheeks' lightness, beside the nose.
  let sum = 0;
  let w = 0;
  for (const i of cheekPixels(size)) {
    const s = skin[i]!;
    sum += s * broad[i]!;
    w += s;
  }
  if (w < 1) return out;
  const cheeks = sum / w;
  const rows = belowNose(size, 0.4, 0.5);
  for (let y = 0; y < size; y++) {
    const below = rows[y]!;
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
