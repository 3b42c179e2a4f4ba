import { blurPlane } from '../prep/masks.js';
import { maskWidth } from '../aging/detail-change.js';
import { lightnessOf } from '../aging/lab.js';

/** The mid band the patch figure looks in: the lightness change blurred by the first share of the face's width minus its blur by the second. */
export const PATCH_BAND = [0.02, 0.08] as const;
/** How deep (CIELAB L* levels) a blob of the mid band must be to count. */
export const PATCH_DEPTH = 3;
/** A blob longer than this many times its width is a line or a fold, not a patch. */
const LINE_ELONGATION = 3;

/**
 * The patch figure: the share (%) of the face `mask` (0..255, pixels at half or more) covered by blobs of the lightness
 * change between two aligned size x size RGB images, in its mid band (PATCH_BAND), darker or lighter by PATCH_DEPTH
 * levels or more. A blob is a connected region of one sign at least as wide as the band's finer blur each way, and no
 * more than LINE_ELONGATION times as long as wide (by its second moments): lines and folds do not count, dark or
 * bright patches do. Fine texture and the face's broad shading do not count either.
 */
export function patchShare(before: ArrayLike<number>, after: ArrayLike<number>, mask: ArrayLike<number>, size: number): number {
  const n = size * size;
  const width = maskWidth(mask, size);
  const d = new Float32Array(n);
  for (let i = 0; i < n; i++) d[i] = lightnessOf(after[i * 3]!, after[i * 3 + 1]!, after[i * 3 + 2]!) - lightnessOf(before[i * 3]!, before[i * 3 + 1]!, before[i * 3 + 2]!);
  const fine = blurPlane(Float32Array.from(d), size, PATCH_BAND[0] * width);
  const broad = blurPlane(Float32Array.from(d), size, PATCH_BAND[1] * width);
  const mid = Float32Array.from(fine, (v, i) => v - broad[i]!);
  let inside = 0;
  for (let i = 0; i < n; i++) if (mask[i]! >= 128) inside++;
  if (inside === 0) return NaN;
  const minArea = Math.PI * (PATCH_BAND[0] * width) ** 2;
  const seen = new Uint8Array(n);
  const stack: number[] = [];
  let covered = 0;
  for (let start = 0; start < n; start++) {
    const sign = Math.sign(mid[start]!);
    if (seen[start] || mask[start]! < 128 || Math.abs(mid[start]!) < PATCH_DEPTH) continue;
    let area = 0, sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
    seen[start] = 1;
    stack.push(start);
    while (stack.length) {
      const i = stack.pop()!;
      const x = i % size, y = (i - x) / size;
      area++;
      sx += x; sy += y; sxx += x * x; syy += y * y; sxy += x * y;
      for (const j of [x > 0 ? i - 1 : -1, x < size - 1 ? i + 1 : -1, y > 0 ? i - size : -1, y < size - 1 ? i + size : -1]) {
        if (j < 0 || seen[j] || mask[j]! < 128 || Math.sign(mid[j]!) !== sign || Math.abs(mid[j]!) < PATCH_DEPTH) continue;
        seen[j] = 1;
        stack.push(j);
      }
    }
    if (area < minArea) continue;
    const mx = sx / area, my = sy / area;
    const cxx = sxx / area - mx * mx + 1 / 12, cyy = syy / area - my * my + 1 / 12, cxy = sxy / area - mx * my;
    const root = Math.sqrt(((cxx - cyy) / 2) ** 2 + cxy * cxy);
    const long = (cxx + cyy) / 2 + root, short = Math.max(1e-6, (cxx + cyy) / 2 - root);
    if (Math.sqrt(long / short) <= LINE_ELONGATION) covered += area;
  }
  return (100 * covered) / inside;
}
