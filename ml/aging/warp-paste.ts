import type { Affine } from '../prep/geometry.js';
import { invertAffine } from '../prep/geometry.js';
import type { RawImage } from '../estimators/image.js';
import { sampleField, type WarpField } from '../shape/warp-field.js';
import { cropFootprint, isMonochrome, type CropDelta } from './paste-back.js';

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
  const dd: [number, number] = [0, 0];
  const px = new Float64Array(4);
  for (let y = grown.y0; y < grown.y1; y++) {
    const sy = y + 0.5;
    for (let x = grown.x0; x < grown.x1; x++) {
      const sx = x + 0.5;
      const u = a * sx + b * sy + c;
      const v = d * sx + e * sy + f;
      sampleField(field, u, v, dd);
      const cu = u + dd[0];
      const cv = v + dd[1];
      const m = maskAt(mask, size, cu - 0.5, cv - 0.5);
      if (dd[0] === 0 && dd[1] === 0 && m === 0) continue;
      const p = (y * width + x) * ch;
      if (dd[0] !== 0 || dd[1] !== 0) {
        samplePhoto(photo, x + ia * dd[0] + ib * dd[1], y + id * dd[0] + ie * dd[1], px);
        for (let k = 0; k < ch; k++) out[p + k] = clamp255(px[k]!);
      }
      if (m === 0) continue;
      let r = m * deltaAt(delta, cu - 0.5, cv - 0.5, 0);
      let g = m * deltaAt(delta, cu - 0.5, cv - 0.5, 1);
      let bl = m * deltaAt(delta, cu - 0.5, cv - 0.5, 2);
      if (mono) r = g = bl = 0.299 * r + 0.587 * g + 0.114 * bl;
      out[p] = clamp255(out[p]! + r);
      out[p + 1] = clamp255(out[p + 1]! + g);
      out[p + 2] = clamp255(out[p + 2]! + bl);
    }
  }
  return { data: out, width, height, channels: ch };
}

/** crop px -> source px of a crop grown by `shift` px on every side (its origin moved to -shift). */
function composeShift(inv: Affine, shift: number): Affine {
  return [inv[0], inv[1], inv[0] * shift + inv[1] * shift + inv[2], inv[3], inv[4], inv[3] * shift + inv[4] * shift + inv[5]];
}

/** The mask (0..1) at crop pixel-index coordinates, bilinear, zero outside the crop. */
function maskAt(mask: Uint8Array, size: number, u: number, v: number): number {
  if (u <= -1 || v <= -1 || u >= size || v >= size) return 0;
  const iu = Math.floor(u), iv = Math.floor(v);
  const fu = u - iu, fv = v - iv;
  const at = (x: number, y: number): number => (x < 0 || y < 0 || x >= size || y >= size ? 0 : mask[y * size + x]!);
  return ((1 - fv) * ((1 - fu) * at(iu, iv) + fu * at(iu + 1, iv)) + fv * ((1 - fu) * at(iu, iv + 1) + fu * at(iu + 1, iv + 1))) / 255;
}

function deltaAt(delta: CropDelta, u: number, v: number, c: number): number {
  const { size, data } = delta;
  const iu = Math.floor(u), iv = Math.floor(v);
  const fu = u - iu, fv = v - iv;
  const at = (x: number, y: number): number => data[(Math.max(0, Math.min(size - 1, y)) * size + Math.max(0, Math.min(size - 1, x))) * 3 + c]!;
  return (1 - fv) * ((1 - fu) * at(iu, iv) + fu * at(iu + 1, iv)) + fv * ((1 - fu) * at(iu, iv + 1) + fu * at(iu + 1, iv + 1));
}

/** Bilinear sample of every channel at photo pixel-index coordinates (pixel centres at integers), edges clamped. */
function samplePhoto(photo: RawImage, x: number, y: number, out: Float64Array): void {
  const { width, height, channels: ch, data } = photo;
  const cx = Math.max(0, Math.min(width - 1, x));
  const cy = Math.max(0, Math.min(height - 1, y));
  const ix = Math.min(width - 2, Math.floor(cx));
  const iy = Math.min(height - 2, Math.floor(cy));
  const fx = cx - ix, fy = cy - iy;
  const i = (iy * width + ix) * ch;
  const row = width * ch;
  for (let k = 0; k < ch; k++) {
    out[k] = (1 - fy) * ((1 - fx) * data[i + k]! + fx * data[i + ch + k]!) + fy * ((1 - fx) * data[i + row + k]! + fx * data[i + row + ch + k]!);
  }
}

function clamp255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
