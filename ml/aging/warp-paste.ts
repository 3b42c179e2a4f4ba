import type { Affine } from '../prep/geometry.js';
import { invertAffine } from '../prep/geometry.js';
import type { RawImage } from '../estimators/image.js';
import type { WarpField } from '../shape/warp-field.js';
import { clamp255, cropFootprint, isMonochrome, type CropDelta } from './paste-back.js';

/**
 * The photo warped by `field` (crop space, carried through the alignment) with `delta` added inside the feathered
 * `mask`, both sampled in the warped geometry: a photo pixel at crop point c shows the photo at c + d(c), plus
 * mask(c + d) * delta(c + d). Pixels where the field is zero and the mask is zero are copied unchanged.
 */
export function warpPasteBack(photo: RawImage, delta: CropDelta, mask: Uint8Array, transform: Affine, field: WarpField): RawImage {
  const { size } = delta;
  if (mask.length !== size * size) throw new Error(`mask has ${mask.length} pixels, expected ${size * size}`);
  if (delta.data.length !== size * size * 3) throw new Error(`delta has ${delta.data.length} values, expected ${size * size * 3}`);
  const ch = photo.channels;
  const { width, height } = photo;
  const src = photo.data;
  const out = new Uint8Array(src);
  const [a, b, c, d, e, f] = transform;
  const inv = invertAffine(transform);
  const [ia, ib, , id, ie] = inv;
  const reach = -field.origin;
  const grown = cropFootprint(composeShift(inv, -reach), size + 2 * reach, width, height);
  const mono = isMonochrome(photo, grown.x0, grown.y0, grown.x1, grown.y1);
  // The field's and the mask's bilinear samples are inlined (same arithmetic as sampleField, maskAt and deltaAt): this
  // loop runs over every pixel of every face at every age of a team photo.
  const { n: fn, dx: fdx, dy: fdy } = field;
  const fo = field.origin;
  const { mask: pm, delta: pd } = padded(mask, delta.data, size);
  const stride = size + 2;
  const row = width * ch;
  for (let y = grown.y0; y < grown.y1; y++) {
    const sy = y + 0.5;
    for (let x = grown.x0; x < grown.x1; x++) {
      const sx = x + 0.5;
      const u = a * sx + b * sy + c;
      const v = d * sx + e * sy + f;
      let d0 = 0;
      let d1 = 0;
      const fu0 = u - fo - 0.5;
      const fv0 = v - fo - 0.5;
      if (!(fu0 < 0 || fv0 < 0 || fu0 >= fn - 1 || fv0 >= fn - 1)) {
        const iu = Math.floor(fu0), iv = Math.floor(fv0);
        const fu = fu0 - iu, fv = fv0 - iv;
        const i = iv * fn + iu;
        const w00 = (1 - fu) * (1 - fv), w10 = fu * (1 - fv), w01 = (1 - fu) * fv, w11 = fu * fv;
        d0 = w00 * fdx[i]! + w10 * fdx[i + 1]! + w01 * fdx[i + fn]! + w11 * fdx[i + fn + 1]!;
        d1 = w00 * fdy[i]! + w10 * fdy[i + 1]! + w01 * fdy[i + fn]! + w11 * fdy[i + fn + 1]!;
      }
      const mu = u + d0 - 0.5;
      const mv = v + d1 - 0.5;
      const moved = d0 !== 0 || d1 !== 0;
      // The mask (0..1) at (mu, mv), bilinear, zero outside the crop.
      let m = 0;
      let iu = 0, iv = 0, fu = 0, fv = 0;
      if (!(mu <= -1 || mv <= -1 || mu >= size || mv >= size)) {
        iu = Math.floor(mu);
        iv = Math.floor(mv);
        fu = mu - iu;
        fv = mv - iv;
        const q = (iv + 1) * stride + iu + 1;
        m = ((1 - fv) * ((1 - fu) * pm[q]! + fu * pm[q + 1]!) + fv * ((1 - fu) * pm[q + stride]! + fu * pm[q + stride + 1]!)) / 255;
      }
      if (!moved && m === 0) continue;
      const p = (y * width + x) * ch;
      if (moved) {
        // The photo at the moved point, bilinear, edges clamped (pixel centres at integers).
        const px = x + ia * d0 + ib * d1;
        const py = y + id * d0 + ie * d1;
        const cx = px <= 0 ? 0 : px >= width - 1 ? width - 1 : px;
        const cy = py <= 0 ? 0 : py >= height - 1 ? height - 1 : py;
        const ix = Math.min(width - 2, Math.floor(cx));
        const iy = Math.min(height - 2, Math.floor(cy));
        const gx = cx - ix, gy = cy - iy;
        const q = (iy * width + ix) * ch;
        for (let k = 0; k < ch; k++) {
          out[p + k] = clamp255((1 - gy) * ((1 - gx) * src[q + k]! + gx * src[q + ch + k]!) + gy * ((1 - gx) * src[q + row + k]! + gx * src[q + row + ch + k]!));
        }
      }
      if (m === 0) continue;
      // The change at (mu, mv), bilinear, edges clamped (the padded copy's border repeats the edge).
      const q00 = ((iv + 1) * stride + iu + 1) * 3, q10 = q00 + 3, q01 = q00 + stride * 3, q11 = q01 + 3;
      let r = m * ((1 - fv) * ((1 - fu) * pd[q00]! + fu * pd[q10]!) + fv * ((1 - fu) * pd[q01]! + fu * pd[q11]!));
      let g = m * ((1 - fv) * ((1 - fu) * pd[q00 + 1]! + fu * pd[q10 + 1]!) + fv * ((1 - fu) * pd[q01 + 1]! + fu * pd[q11 + 1]!));
      let bl = m * ((1 - fv) * ((1 - fu) * pd[q00 + 2]! + fu * pd[q10 + 2]!) + fv * ((1 - fu) * pd[q01 + 2]! + fu * pd[q11 + 2]!));
      if (mono) r = g = bl = 0.299 * r + 0.587 * g + 0.114 * bl;
      out[p] = clamp255(out[p]! + r);
      out[p + 1] = clamp255(out[p + 1]! + g);
      out[p + 2] = clamp255(out[p + 2]! + bl);
    }
  }
  return { data: out, width, height, channels: ch };
}

/**
 * The mask and the change with a border of one pixel, so their bilinear samples need no bounds checks: the mask's is 0
 * (zero outside the crop), the change's repeats its edge (edges clamped).
 */
function padded(mask: Uint8Array, delta: Float32Array, size: number): { mask: Uint8Array; delta: Float32Array } {
  const stride = size + 2;
  const pm = new Uint8Array(stride * stride);
  const pd = new Float32Array(stride * stride * 3);
  for (let y = 0; y < stride; y++) {
    const sy = y === 0 ? 0 : y > size ? size - 1 : y - 1;
    for (let x = 0; x < stride; x++) {
      const sx = x === 0 ? 0 : x > size ? size - 1 : x - 1;
      const o = y * stride + x;
      const s = sy * size + sx;
      if (x > 0 && y > 0 && x <= size && y <= size) pm[o] = mask[s]!;
      pd[o * 3] = delta[s * 3]!;
      pd[o * 3 + 1] = delta[s * 3 + 1]!;
      pd[o * 3 + 2] = delta[s * 3 + 2]!;
    }
  }
  return { mask: pm, delta: pd };
}

/** crop px -> source px of a crop grown by `shift` px on every side (its origin moved to -shift). */
function composeShift(inv: Affine, shift: number): Affine {
  return [inv[0], inv[1], inv[0] * shift + inv[1] * shift + inv[2], inv[3], inv[4], inv[3] * shift + inv[4] * shift + inv[5]];
}
