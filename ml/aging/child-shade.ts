import { blurPlane } from '../prep/masks.js';
import { blurredGrey } from './dark-cap.js';

/**
 * Softly limits the broad part of a grey change going older from a child (RGB-equal, levels per pixel, in place): its
 * blur by `sigma` px (wider than lines: the shading of cheeks, eye sockets, eyelids and the skin round the mouth) becomes
 * limit x tanh(blur / limit), mixed in by `share` (0..1); what lies above that blur (lines, folds, the edges of shading)
 * is kept. A child aged far takes an old mean face's shading over the whole face, which on a child's light, even skin
 * reads as a grey or brown cast where it darkens and as pale wax where it lightens. `kept` (0..1 per pixel) is the share
 * of the shading left whole there.
 */
export function limitShading(delta: Float32Array, size: number, sigma: number, limit: number, share: number, kept?: Float32Array | null): void {
  if (share <= 0 || !(limit > 0)) return;
  const n = size * size;
  const broad = blurredGrey(delta, size, sigma);
  for (let i = 0; i < n; i++) {
    const b = broad[i]!;
    const v = delta[i * 3]! + share * (1 - (kept ? kept[i]! : 0)) * (limit * Math.tanh(b / limit) - b);
    for (let c = 0; c < 3; c++) delta[i * 3 + c] = v;
  }
}

/**
 * The feature zone (0..1 per pixel) widened by a blur of `sigma` px (doubled, at most 1) and scaled by `share`: the eye
 * sockets, brows and nose sides round the features keep their shading.
 */
export function widenedZone(zone: Float32Array, size: number, sigma: number, share: number): Float32Array {
  const out = blurPlane(zone.slice(), size, Math.max(0.5, sigma));
  for (let i = 0; i < out.length; i++) out[i] = share * Math.min(1, 2 * out[i]!);
  return out;
}
