import { blurPlane } from '../prep/masks.js';

/**
 * An edge-preserving blur of a size x size plane: the self-guided filter (He et al., 2010) with Gaussian windows of
 * `sigma` px. Where the plane varies less than `edge` levels within a window (skin with lines, pores, stubble) it is
 * the plain blur; across a step much larger than `edge` (skin to hair, brow or eye) it keeps the plane as it is. So the
 * plane minus it is the fine detail of the skin without the edges around it. The filter's own residue at a step
 * (1 - a of it) is weighted by 1 - a once more, so a step of 100 levels keeps within a few levels.
 */
export function edgeAwareBlur(plane: Float32Array, size: number, sigma: number, edge: number): Float32Array {
  const n = size * size;
  const mean = blurPlane(plane.slice(), size, sigma);
  const square = new Float32Array(n);
  for (let i = 0; i < n; i++) square[i] = plane[i]! * plane[i]!;
  blurPlane(square, size, sigma);
  const eps = edge * edge;
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const variance = Math.max(0, square[i]! - mean[i]! * mean[i]!);
    a[i] = variance / (variance + eps);
    b[i] = mean[i]! * (1 - a[i]!);
  }
  blurPlane(a, size, sigma);
  blurPlane(b, size, sigma);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = plane[i]!;
    const q = a[i]! * v + b[i]!;
    out[i] = q + a[i]! * (v - q);
  }
  return out;
}
