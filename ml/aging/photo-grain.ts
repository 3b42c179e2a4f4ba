import { blurPlane } from '../prep/masks.js';
import { lumaPlane } from './lab.js';

/**
 * A photo's own grain and sharpness, so the texture change is drawn at them: a scanned, blurry or noisy photo gets soft
 * lines, not deepened grain or lines sharper than its own.
 */

/** Median of |x| over N(0, 1): Donoho's MAD estimate divides by it. */
const MAD_NORMAL = 0.6745;
/** Bins per level of the |value| histogram the median is read from, and the levels it covers (beyond: the last bin). */
const BINS_PER_LEVEL = 8;
const HIST_LEVELS = 64;

/**
 * The noise level (σ, levels) of a detail band where `weight` > 0 (null: everywhere): the median of its absolute values
 * over 0.6745, as Donoho's MAD estimate. Lines and edges are few, so the median reads the grain (and the skin's own
 * pores) at that band's scale. Read on the band itself, not the photo's finest one: a scan's grain is blurred over a
 * few pixels and JPEG removes the finest band, so that band can read a fifth of the grain the detail band carries.
 * 0 when nothing is weighted.
 */
export function noiseLevel(band: ArrayLike<number>, weight: ArrayLike<number> | null = null): number {
  const hist = new Uint32Array(HIST_LEVELS * BINS_PER_LEVEL + 1);
  let count = 0;
  for (let i = 0; i < band.length; i++) {
    if (weight && !(weight[i]! > 0)) continue;
    hist[Math.min(hist.length - 1, Math.floor(Math.abs(band[i]!) * BINS_PER_LEVEL))]!++;
    count++;
  }
  if (count === 0) return 0;
  let seen = 0;
  for (let b = 0; b < hist.length; b++) {
    seen += hist[b]!;
    if (seen * 2 >= count) return (b + 0.5) / BINS_PER_LEVEL / MAD_NORMAL;
  }
  return HIST_LEVELS / MAD_NORMAL;
}

/**
 * The detail band `d` with what does not stand above the grain cored away: d x d² / (d² + t²), t the threshold (levels).
 * Grain of the photo's noise level barely moves; a line a few times deeper keeps nearly all of itself.
 */
export function coreDetail(d: number, t: number): number {
  if (t <= 0) return d;
  const d2 = d * d;
  return (d * d2) / (d2 + t * t);
}

/** The two blurs (px) whose differences make the bands the sharpness is read from: exactly what blurPlane draws at radius 1 and 2. */
const BAND_SIGMAS = [Math.SQRT2, Math.sqrt(6)] as const;

/**
 * How sharp a face is: the energy of its finest band (luma minus its blur by √2 px) over the next band's (that blur
 * minus a blur by √6 px), weighted by `weight` (the skin, 0..1). A blur lowers it: the finest band loses most.
 */
export function sharpnessRatio(luma: Float32Array, size: number, weight: ArrayLike<number>): number {
  const b1 = blurPlane(luma.slice(), size, BAND_SIGMAS[0]);
  const b2 = blurPlane(luma.slice(), size, BAND_SIGMAS[1]);
  let e1 = 0;
  let e2 = 0;
  for (let i = 0; i < luma.length; i++) {
    const m = weight[i]!;
    if (!(m > 0)) continue;
    e1 += m * (luma[i]! - b1[i]!) ** 2;
    e2 += m * (b1[i]! - b2[i]!) ** 2;
  }
  return e2 > 0 ? e1 / e2 : 0;
}

/**
 * sharpnessRatio against a Gaussian blur (px) of a sharp 128-px aligned face: the median over the sharpest quarter of
 * 80 validation crops (ratio 2.4 or more) as they are and blurred by known amounts (docs/aging-detail.md). The median
 * validation face reads 1.9, about half a pixel of blur.
 */
const SOFTNESS_TABLE: readonly (readonly [ratio: number, blur: number])[] = [
  [2.7, 0],
  [1.64, 0.7],
  [1.4, 1],
  [0.885, 1.5],
  [0.61, 2],
  [0.45, 2.5],
];

/** The blur (px) a sharp face would need to read `ratio` (sharpnessRatio): 0 for a sharp face, more for a softer one. */
export function softnessOf(ratio: number): number {
  const t = SOFTNESS_TABLE;
  if (ratio >= t[0]![0]) return 0;
  for (let k = 1; k < t.length; k++) {
    const [r1, b1] = t[k]!;
    const [r0, b0] = t[k - 1]!;
    if (ratio >= r1) return b0 + ((r0 - ratio) / (r0 - r1)) * (b1 - b0);
  }
  return t[t.length - 1]![1];
}

/**
 * How soft an aligned face (RGB crop) is, as softnessOf its sharpnessRatio where `weight` > 0: the face inside its
 * outline, features included (their edges show the photo's focus; smooth skin alone would read a child as soft).
 */
export function faceSoftness(crop: ArrayLike<number>, size: number, weight: ArrayLike<number>): number {
  return softnessOf(sharpnessRatio(lumaPlane(crop, size * size), size, weight));
}

/**
 * A plane made as soft as a Gaussian blur of `sigma` px would, keeping its mean: mixed with its blur by the smallest
 * radius of blurPlane at least that wide (σ² = r (r + 1)), by the share of that variance asked for.
 */
export function softened(plane: Float32Array, size: number, sigma: number): Float32Array {
  if (!(sigma > 0)) return plane;
  let r = 1;
  while (r * (r + 1) < sigma * sigma) r++;
  const t = (sigma * sigma) / (r * (r + 1));
  const out = blurPlane(plane.slice(), size, Math.sqrt(r * (r + 1)));
  for (let i = 0; i < out.length; i++) out[i] = plane[i]! + t * (out[i]! - plane[i]!);
  return out;
}
