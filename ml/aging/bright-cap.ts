import { blurPlane } from '../prep/masks.js';
import { lumaPlane } from './lab.js';

/**
 * Per crop pixel, how light a change going younger may take it (0..255 luma): the skin round it (the crop's luma
 * blurred by `localSigma` px, wider than lines and folds) plus `localMargin`, and never above the face's bright-skin
 * level (the `quantile` of its skin's lightness, blurred by `levelSigma` px, where `skin`, 0..1, the face mask without
 * the eyes, nose and mouth, is above a half) plus `levelMargin`. A line darker than the skin round it may lighten to
 * it; a highlight above its surroundings barely, so it neither whitens nor spreads; and an already light face does
 * not turn chalky.
 */
export function brightCeiling(crop: ArrayLike<number>, size: number, skin: Float32Array, sigmas: { level: number; local: number }, margins: { level: number; local: number }, quantile = 0.9): Float32Array {
  const n = size * size;
  const luma = lumaPlane(crop, n);
  const broad = blurPlane(Float32Array.from(luma), size, Math.max(0.5, sigmas.level));
  const values: number[] = [];
  for (let i = 0; i < n; i++) if (skin[i]! > 0.5) values.push(broad[i]!);
  values.sort((a, b) => a - b);
  const level = values.length ? values[Math.min(values.length - 1, Math.floor(quantile * values.length))]! : 255;
  const local = blurPlane(luma, size, Math.max(0.5, sigmas.local));
  return Float32Array.from(local, (v) => Math.min(level + margins.level, v + margins.local));
}

/**
 * Softly caps the lightening of a grey change (RGB-equal, 0..255 levels per pixel, in place): a pixel of luma L
 * raised by d > 0 is raised by room x tanh(d / room) instead, room = max(0, ceiling - L). Darkening is untouched.
 */
export function capLightening(delta: Float32Array, crop: ArrayLike<number>, size: number, ceiling: Float32Array): void {
  const n = size * size;
  const luma = lumaPlane(crop, n);
  for (let i = 0; i < n; i++) {
    const d = delta[i * 3]!;
    if (d <= 0) continue;
    const room = ceiling[i]! - luma[i]!;
    const v = room > 0 ? room * Math.tanh(d / room) : 0;
    for (let c = 0; c < 3; c++) delta[i * 3 + c] = v;
  }
}
