import { blurPlane } from '../prep/masks.js';

/** Filters applied to the decoder's change before it is carried onto a face (age-face.ts). */

/** Each of `count` size x size RGB images filtered by [1, 2, 1] / 4 along x then y (edges repeat). */
export function withoutCheckerboard(values: Float32Array, count: number, size: number): Float32Array {
  const tmp = new Float32Array(values.length);
  const out = new Float32Array(values.length);
  const row = size * 3;
  for (let k = 0; k < count; k++) {
    const base = k * size * row;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = base + y * row + x * 3;
        const l = x > 0 ? i - 3 : i;
        const r = x < size - 1 ? i + 3 : i;
        for (let c = 0; c < 3; c++) tmp[i + c] = 0.25 * values[l + c]! + 0.5 * values[i + c]! + 0.25 * values[r + c]!;
      }
    }
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const i = base + y * row + x * 3;
        const u = y > 0 ? i - row : i;
        const d = y < size - 1 ? i + row : i;
        for (let c = 0; c < 3; c++) out[i + c] = 0.25 * tmp[u + c]! + 0.5 * tmp[i + c]! + 0.25 * tmp[d + c]!;
      }
    }
  }
  return out;
}

/** Keeps the luminance of each RGB change and `k` of the rest (its colour). */
export function scaleChroma(delta: Float32Array, k: number): void {
  for (let i = 0; i < delta.length; i += 3) {
    const y = 0.299 * delta[i]! + 0.587 * delta[i + 1]! + 0.114 * delta[i + 2]!;
    delta[i] = y + k * (delta[i]! - y);
    delta[i + 1] = y + k * (delta[i + 1]! - y);
    delta[i + 2] = y + k * (delta[i + 2]! - y);
  }
}

/**
 * Keeps the change's fine structure (lines, folds, shading of features) and `k` of its broad shading (detail wider than
 * `sigma` crop px: an overall darkening or colour cast of the skin).
 */
export function keepTone(delta: Float32Array, size: number, k: number, sigma: number): void {
  if (k === 1) return;
  const plane = new Float32Array(size * size);
  for (let c = 0; c < 3; c++) {
    for (let i = 0; i < plane.length; i++) plane[i] = delta[i * 3 + c]!;
    blurPlane(plane, size, sigma);
    for (let i = 0; i < plane.length; i++) delta[i * 3 + c] = delta[i * 3 + c]! - (1 - k) * plane[i]!;
  }
}

/**
 * The gain for a source age: the full gain from 20 years on, falling linearly to 1 at 10 and below. A child's decoded
 * change already holds growing up (the face's shape and size), and amplifying it distorts the child instead of aging it.
 */
export function gainForSource(gain: number, sourceAge: number): number {
  const t = Math.min(1, Math.max(0, (sourceAge - 10) / 10));
  return 1 + (gain - 1) * t;
}

/**
 * The share of the face's own skin detail kept for a source age: as asked from 20 years on, falling linearly to none
 * for a newborn. A child grows into an adult face, which only the decoder can draw; the child's own smooth skin would
 * keep it reading young at any target.
 */
export function detailForSource(detail: number, sourceAge: number): number {
  return detail * Math.min(1, Math.max(0, sourceAge / 20));
}

/**
 * The share of the texture change a face takes when its shape is aged too: none while both ages are 20 or under
 * (growing up is the shape's work, and the decoder's change would only blur a child), all of it once either age is 40
 * or over (lines, folds, spots and greying are adult aging), linear between.
 */
export function textureShare(sourceAge: number, targetAge: number): number {
  return Math.min(1, Math.max(0, (Math.max(sourceAge, targetAge) - 20) / 20));
}
