import { blurPlane } from '../prep/masks.js';

/**
 * Softly caps how far a grey change going older (RGB-equal, levels per pixel, in place) darkens a pixel below the
 * change round it (its blur by `sigma` px, wider than lines): where the change minus that blur is below zero, it
 * becomes -cap x tanh(-(change - blur) / cap), mixed in by `share` (0..1). Smooth shading (the blur) and lines
 * shallower than `cap` pass; a blotch that darkens the skin far below its own neighbourhood is held to about `cap`
 * levels. With `lighten` (0..1) the same cap holds that share of the lightening above the neighbourhood (the light
 * flank of a dark streak); otherwise lightening is untouched.
 */
export function capDarkening(delta: Float32Array, size: number, sigma: number, cap: number, share: number, lighten = 0): void {
  if (share <= 0 || !(cap > 0)) return;
  const n = size * size;
  const local = blurredGrey(delta, size, sigma);
  for (let i = 0; i < n; i++) {
    const d = delta[i * 3]!;
    const off = d - local[i]!;
    const k = off < 0 ? share : share * lighten;
    if (k <= 0) continue;
    const v = d + k * (cap * Math.tanh(off / cap) - off);
    for (let c = 0; c < 3; c++) delta[i * 3 + c] = v;
  }
}

/** A grey change's plane (RGB-equal, levels per pixel) blurred by `sigma` px (at least half a pixel). */
export function blurredGrey(delta: Float32Array, size: number, sigma: number): Float32Array {
  const n = size * size;
  const plane = new Float32Array(n);
  for (let i = 0; i < n; i++) plane[i] = delta[i * 3]!;
  return blurPlane(plane, size, Math.max(0.5, sigma));
}
