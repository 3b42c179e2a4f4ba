import { invertAffine, type Affine } from '../prep/geometry.js';
import type { RawImage } from '../estimators/image.js';

/** A change to carry onto a photo, in crop space: per-pixel RGB deltas in 0..255 units (decode(target) - decode(source)). */
export interface CropDelta {
  readonly size: number;
  /** size * size * 3 */
  readonly data: Float32Array;
}

export interface PasteBackOptions {
  /** Multiplies the delta (default 1). */
  readonly gain?: number;
}

/**
 * Bounds in source pixels of the crop square mapped through `inverse` (crop px -> source px), clipped to the photo;
 * with `part` ([u0, v0, u1, v1] crop px), of that box of the crop instead.
 */
export function cropFootprint(inverse: Affine, size: number, width: number, height: number, part?: readonly [number, number, number, number]): { x0: number; y0: number; x1: number; y1: number } {
  const xs: number[] = [];
  const ys: number[] = [];
  const [u0, v0, u1, v1] = part ?? [0, 0, size, size];
  for (const [u, v] of [[u0, v0], [u1, v0], [u0, v1], [u1, v1]] as const) {
    xs.push(inverse[0] * u + inverse[1] * v + inverse[2]);
    ys.push(inverse[3] * u + inverse[4] * v + inverse[5]);
  }
  return {
    x0: Math.max(0, Math.floor(Math.min(...xs)) - 1),
    y0: Math.max(0, Math.floor(Math.min(...ys)) - 1),
    x1: Math.min(width, Math.ceil(Math.max(...xs)) + 1),
    y1: Math.min(height, Math.ceil(Math.max(...ys)) + 1),
  };
}

/**
 * delta * mask / 255 in crop space, with a border of zeros one pixel wide: (size + 2)^2 * 3 values. Bilinear sampling
 * of this field is the sum of mask-weighted deltas, and needs no bounds checks at the crop's edges.
 */
function maskedDeltaField(delta: CropDelta, mask: Uint8Array): Float64Array {
  const { size } = delta;
  const stride = size + 2;
  const field = new Float64Array(stride * stride * 3);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const m = mask[y * size + x]! / 255;
      if (m === 0) continue;
      const s = (y * size + x) * 3;
      const o = ((y + 1) * stride + x + 1) * 3;
      field[o] = delta.data[s]! * m;
      field[o + 1] = delta.data[s + 1]! * m;
      field[o + 2] = delta.data[s + 2]! * m;
    }
  }
  return field;
}

/** Per field cell (its top-left corner in field coordinates): 1 when any of its 4 corners has a mask above 0. */
function activeCells(mask: Uint8Array, size: number): Uint8Array {
  const stride = size + 2;
  const active = new Uint8Array(stride * stride);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      if (mask[y * size + x] === 0) continue;
      // Crop pixel (x, y) is field (x + 1, y + 1): a corner of the cells whose top-left is (x..x+1, y..y+1).
      const f = (y + 1) * stride + x + 1;
      active[f] = active[f - 1] = active[f - stride] = active[f - stride - 1] = 1;
    }
  }
  return active;
}

/**
 * The photo with `delta` added inside the feathered `mask` (both crop space), carried through the alignment:
 * `transform` maps source px -> crop px (continuous coordinates, pixel centres at +0.5). Each photo pixel samples the
 * delta and the mask bilinearly at its crop position; where the mask is 0 the pixel is copied unchanged.
 */
export function pasteBack(photo: RawImage, delta: CropDelta, mask: Uint8Array, transform: Affine, options: PasteBackOptions = {}): RawImage {
  const { size } = delta;
  if (mask.length !== size * size) throw new Error(`mask has ${mask.length} pixels, expected ${size * size}`);
  if (delta.data.length !== size * size * 3) throw new Error(`delta has ${delta.data.length} values, expected ${size * size * 3}`);
  const ch = photo.channels;
  const out = new Uint8Array(photo.data);
  const gain = options.gain ?? 1;
  const [a, b, c, d, e, f] = transform;
  const inv = invertAffine(transform);
  const { x0, y0, x1, y1 } = cropFootprint(inv, size, photo.width, photo.height);
  // A greyscale photo must stay grey: the decoder draws in colour, so only the delta's luminance is carried.
  const mono = isMonochrome(photo, x0, y0, x1, y1);
  // Sum of mask-weighted deltas = (bilinear mask) * (mask-weighted mean delta): the delta fades with the mask.
  const field = maskedDeltaField(delta, mask);
  const active = activeCells(mask, size);
  const stride = size + 2;
  const row = stride * 3;
  for (let y = y0; y < y1; y++) {
    const sy = y + 0.5;
    for (let x = x0; x < x1; x++) {
      const sx = x + 0.5;
      // Crop index space: centre of crop pixel i is at i + 0.5.
      const u = a * sx + b * sy + c - 0.5;
      const v = d * sx + e * sy + f - 0.5;
      if (u <= -1 || v <= -1 || u >= size || v >= size) continue;
      const iu = Math.floor(u);
      const iv = Math.floor(v);
      const cell = (iv + 1) * stride + iu + 1;
      if (active[cell] === 0) continue;
      const fu = u - iu;
      const fv = v - iv;
      const w00 = (1 - fu) * (1 - fv);
      const w10 = fu * (1 - fv);
      const w01 = (1 - fu) * fv;
      const w11 = fu * fv;
      // Field index of crop pixel (iu, iv): the zero border shifts it by one pixel in both directions.
      const i = cell * 3;
      let r = w00 * field[i]! + w10 * field[i + 3]! + w01 * field[i + row]! + w11 * field[i + row + 3]!;
      let g = w00 * field[i + 1]! + w10 * field[i + 4]! + w01 * field[i + row + 1]! + w11 * field[i + row + 4]!;
      let bl = w00 * field[i + 2]! + w10 * field[i + 5]! + w01 * field[i + row + 2]! + w11 * field[i + row + 5]!;
      if (r === 0 && g === 0 && bl === 0) continue;
      const p = (y * photo.width + x) * ch;
      if (mono) r = g = bl = 0.299 * r + 0.587 * g + 0.114 * bl;
      out[p] = clamp255(out[p]! + gain * r);
      out[p + 1] = clamp255(out[p + 1]! + gain * g);
      out[p + 2] = clamp255(out[p + 2]! + gain * bl);
    }
  }
  return { data: out, width: photo.width, height: photo.height, channels: ch };
}

/** True when every pixel of the region has R, G and B within 2 of each other (a greyscale photo stored as RGB). */
export function isMonochrome(photo: RawImage, x0: number, y0: number, x1: number, y1: number): boolean {
  if (photo.channels < 3) return true;
  const ch = photo.channels;
  for (let y = y0; y < y1; y++) {
    for (let x = x0; x < x1; x++) {
      const p = (y * photo.width + x) * ch;
      const r = photo.data[p]!;
      const g = photo.data[p + 1]!;
      const b = photo.data[p + 2]!;
      if (Math.abs(r - g) > 2 || Math.abs(g - b) > 2 || Math.abs(r - b) > 2) return false;
    }
  }
  return true;
}

export function clamp255(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** Crop-space delta between two decodes given as RGB bytes or [-1, 1] floats. */
export function cropDelta(target: Float32Array, source: Float32Array, size: number, scale = 127.5): CropDelta {
  if (target.length !== size * size * 3 || source.length !== target.length) throw new Error('decodes must both be size*size*3');
  const data = new Float32Array(target.length);
  for (let i = 0; i < data.length; i++) data[i] = (target[i]! - source[i]!) * scale;
  return { size, data };
}

/** The mask resampled into photo space (0..255), e.g. to check which photo pixels paste-back may touch. */
export function maskInPhoto(mask: Uint8Array, size: number, transform: Affine, width: number, height: number): Uint8Array {
  const ones: CropDelta = { size, data: new Float32Array(size * size * 3).fill(255) };
  const blank: RawImage = { data: new Uint8Array(width * height * 3), width, height, channels: 3 };
  const pasted = pasteBack(blank, ones, mask, transform);
  const out = new Uint8Array(width * height);
  for (let i = 0; i < out.length; i++) out[i] = pasted.data[i * 3]!;
  return out;
}
