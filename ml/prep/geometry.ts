import type { Point } from '../../domain/keypoints.js';

export type { Point };

/** 2x3 affine [a, b, c, d, e, f]: x' = a*x + b*y + c ; y' = d*x + e*y + f */
export type Affine = [number, number, number, number, number, number];

export function applyAffine(m: Affine, p: Point): Point {
  return [m[0] * p[0] + m[1] * p[1] + m[2], m[3] * p[0] + m[4] * p[1] + m[5]];
}

export function invertAffine(m: Affine): Affine {
  const [a, b, c, d, e, f] = m;
  const det = a * e - b * d;
  if (Math.abs(det) < 1e-12) throw new Error('the transform is singular');
  const ia = e / det;
  const ib = -b / det;
  const id = -d / det;
  const ie = a / det;
  return [ia, ib, -(ia * c + ib * f), id, ie, -(id * c + ie * f)];
}

/** outer ∘ inner: apply inner first. */
export function composeAffine(outer: Affine, inner: Affine): Affine {
  const [a, b, c, d, e, f] = outer;
  const [p, q, r, s, t, u] = inner;
  return [a * p + b * s, a * q + b * t, a * r + b * u + c, d * p + e * s, d * q + e * t, d * r + e * u + f];
}

/** Uniform scale of a similarity (or the geometric mean scale of an affine). */
export function affineScale(m: Affine): number {
  return Math.sqrt(Math.abs(m[0] * m[4] - m[1] * m[3]));
}

/** Least-squares similarity (rotation, uniform scale, translation; no reflection) mapping src onto dst. */
export function fitSimilarity(src: readonly Point[], dst: readonly Point[], weights?: readonly number[]): Affine {
  if (src.length !== dst.length || src.length < 2) throw new Error('a similarity fit needs at least two point pairs');
  let wsum = 0, sx = 0, sy = 0, dx = 0, dy = 0;
  src.forEach((p, i) => {
    const w = weights?.[i] ?? 1;
    wsum += w;
    sx += w * p[0];
    sy += w * p[1];
    dx += w * dst[i]![0];
    dy += w * dst[i]![1];
  });
  sx /= wsum; sy /= wsum; dx /= wsum; dy /= wsum;
  let num1 = 0, num2 = 0, den = 0;
  src.forEach((p, i) => {
    const w = weights?.[i] ?? 1;
    const px = p[0] - sx, py = p[1] - sy;
    const qx = dst[i]![0] - dx, qy = dst[i]![1] - dy;
    num1 += w * (px * qx + py * qy);
    num2 += w * (px * qy - py * qx);
    den += w * (px * px + py * py);
  });
  if (den < 1e-9) throw new Error('the points coincide: cannot fit a similarity');
  const a = num1 / den;
  const b = num2 / den;
  return [a, -b, dx - (a * sx - b * sy), b, a, dy - (b * sx + a * sy)];
}

export function distance(p: Point, q: Point): number {
  return Math.hypot(p[0] - q[0], p[1] - q[1]);
}
