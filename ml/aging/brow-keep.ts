import type { Point } from '../prep/geometry.js';
import { feather, fillPolygon, shrinkPolygon } from '../prep/masks.js';
import { BROW_POINTS, EYE_POINTS } from '../shape/mesh.js';

/** Convex hull of points (monotone chain), counter-clockwise. */
export function hull(points: readonly Point[]): Point[] {
  const p = [...points].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const cross = (o: Point, a: Point, b: Point): number => (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0]);
  const half = (pts: Point[]): Point[] => {
    const out: Point[] = [];
    for (const q of pts) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, q) <= 0) out.pop();
      out.push(q);
    }
    return out.slice(0, -1);
  };
  return [...half(p), ...half([...p].reverse())];
}

/**
 * Per crop pixel, 1 away from the eyebrows and the eyes and 0 on them and a margin round them (size x size;
 * `landmarks` the face's mesh points in crop px): what smoothing the skin going younger leaves alone. Brows are hair,
 * not lines, and a blur as wide as the skin's folds would fade them; the eyes, lids and lashes are who the person is.
 * The skin round the eyes (crow's feet, the folds under them) is smoothed.
 */
export function browKeep(landmarks: readonly Point[], size: number): Float32Array {
  const out = new Float32Array(size * size).fill(1);
  const parts = [...BROW_POINTS.map((b) => ({ points: b, grow: 1 })), ...EYE_POINTS.map((e) => ({ points: e, grow: 1.2 }))];
  for (const { points, grow } of parts) {
    const poly = shrinkPolygon(hull(points.map((i) => landmarks[i]!)), grow);
    if (poly.length < 3) continue;
    const soft = feather(fillPolygon(poly, size), size, size / 50);
    for (let i = 0; i < out.length; i++) out[i] = Math.min(out[i]!, Math.max(0, 1 - (2 * soft[i]!) / 255));
  }
  return out;
}
