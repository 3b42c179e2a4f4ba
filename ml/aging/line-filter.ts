import { blurPlane } from '../prep/masks.js';
import { bilinear } from '../shape/warp-field.js';

/**
 * Per pixel of a size x size plane (a lightness change), how line-like it is at the given Gaussian scales (px), 0..1:
 * 1 on the core of an elongated valley or ridge (lines, folds), near 0 on isotropic blobs (patches, grain) and on the
 * flanks of anything (where the value and the curvature across have the same sign). From the scale-normalised Hessian
 * (as Frangi's vesselness, without its strength term: weak changes are judged by their shape as well); at each pixel
 * the scale with the strongest curvature decides. A line also goes on along itself: the value two scales away each way
 * along the weak curvature's direction must be as strong as here (the ring inside a blob's edge curves like a line but
 * fades along that direction, outwards).
 */
export function lineLikeness(plane: Float32Array, size: number, sigmas: readonly number[], beta = 0.5): Float32Array {
  const n = size * size;
  const out = new Float32Array(n);
  const best = new Float32Array(n);
  const inv = 1 / (2 * beta * beta);
  for (const sigma of sigmas) {
    const s = blurPlane(plane.slice(), size, sigma);
    const norm = sigma * sigma;
    for (let y = 0; y < size; y++) {
      const row = y * size;
      const up = Math.max(0, y - 1) * size;
      const down = Math.min(size - 1, y + 1) * size;
      for (let x = 0; x < size; x++) {
        const left = Math.max(0, x - 1);
        const right = Math.min(size - 1, x + 1);
        const c = s[row + x]!;
        const xx = norm * (s[row + right]! - 2 * c + s[row + left]!);
        const yy = norm * (s[down + x]! - 2 * c + s[up + x]!);
        const xy = (norm * (s[down + right]! - s[up + right]! - s[down + left]! + s[up + left]!)) / 4;
        const mean = (xx + yy) / 2;
        const root = Math.sqrt(((xx - yy) / 2) ** 2 + xy * xy);
        const big = mean >= 0 ? mean + root : mean - root;
        const small = mean >= 0 ? mean - root : mean + root;
        const strength = big * big + small * small;
        const i = row + x;
        if (strength <= best[i]!) continue;
        best[i] = strength;
        // A dark line has a positive curvature across it, a bright one a negative: the flanks of a blob do not.
        if (big * c >= 0) {
          out[i] = 0;
          continue;
        }
        const rb = big !== 0 ? small / big : 1;
        out[i] = Math.exp(-rb * rb * inv) * continuity(s, size, x, y, xx, yy, xy, small, 2 * sigma);
      }
    }
  }
  return out;
}

/**
 * The plane with its non-line-like part held back by `hold` (0..1): each value times 1 - hold x (1 - line-likeness),
 * the factor smoothed by the finest scale so no new edges appear. Lines and folds survive, blobs and grain fade. With
 * `spread` (px) > 0 the held part is added back blurred by it: blobs become smooth shading.
 */
export function holdBlobs(plane: Float32Array, size: number, sigmas: readonly number[], hold: number, spread = 0): Float32Array {
  if (hold <= 0 || sigmas.length === 0) return plane;
  const n = plane.length;
  const keep = lineLikeness(plane, size, sigmas);
  for (let i = 0; i < n; i++) keep[i] = 1 - hold * (1 - keep[i]!);
  blurPlane(keep, size, Math.min(...sigmas));
  const kept = new Float32Array(n);
  for (let i = 0; i < n; i++) kept[i] = plane[i]! * keep[i]!;
  if (spread <= 0) return kept;
  // What is held back comes back as smooth shading: the same darkening, without the blobs' edges.
  const held = new Float32Array(n);
  for (let i = 0; i < n; i++) held[i] = plane[i]! - kept[i]!;
  blurPlane(held, size, spread);
  for (let i = 0; i < n; i++) kept[i] = kept[i]! + held[i]!;
  return kept;
}

/** How far the value at (x, y) goes on both ways along the eigenvector of `small`, `reach` px: min of the two ratios, 0..1. */
function continuity(s: Float32Array, size: number, x: number, y: number, xx: number, yy: number, xy: number, small: number, reach: number): number {
  const c = s[y * size + x]!;
  if (c === 0) return 0;
  let [ux, uy] = [xy, small - xx];
  const [vx, vy] = [small - yy, xy];
  if (vx * vx + vy * vy > ux * ux + uy * uy) [ux, uy] = [vx, vy];
  const len = Math.hypot(ux, uy);
  if (len === 0) return 0;
  ux = (ux / len) * reach;
  uy = (uy / len) * reach;
  const a = bilinear(s, size, 1, x + ux, y + uy, 0) / c;
  const b = bilinear(s, size, 1, x - ux, y - uy, 0) / c;
  return Math.min(1, Math.max(0, Math.min(a, b)));
}

/** The plane's blur by `smooth` px kept whole (smooth shading), and the rest through holdBlobs. */
export function holdBlobsBeyond(plane: Float32Array, size: number, smooth: number, sigmas: readonly number[], hold: number, spread = 0): Float32Array {
  if (hold <= 0) return plane;
  const n = plane.length;
  const low = blurPlane(plane.slice(), size, smooth);
  const rest = new Float32Array(n);
  for (let i = 0; i < n; i++) rest[i] = plane[i]! - low[i]!;
  const mid = holdBlobs(rest, size, sigmas, hold, spread);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) out[i] = mid[i]! + low[i]!;
  return out;
}
