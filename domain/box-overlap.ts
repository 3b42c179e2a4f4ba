/** How much boxes overlap, and non-maximum suppression over scored boxes. */
import type { Box } from './face.js';

/** Intersection over union of two [x, y, w, h] boxes (0 when either is empty). */
export function iou(a: Box, b: Box): number {
  const ix = Math.max(0, Math.min(a[0] + a[2], b[0] + b[2]) - Math.max(a[0], b[0]));
  const iy = Math.max(0, Math.min(a[1] + a[3], b[1] + b[3]) - Math.max(a[1], b[1]));
  const inter = ix * iy;
  const union = a[2] * a[3] + b[2] * b[3] - inter;
  return union > 0 ? inter / union : 0;
}

/**
 * Indices of the boxes kept by greedy non-maximum suppression: highest score first, each dropping the later boxes that
 * overlap it by more than `threshold` IoU. Two real faces that overlap (a child on a lap) share far less than one face
 * seen twice at neighbouring tiles or scales, so a threshold near 0.4 keeps both.
 */
export function nonMaxSuppression(items: readonly { box: Box; score: number }[], threshold: number): number[] {
  const order = items.map((_, i) => i).sort((a, b) => items[b]!.score - items[a]!.score);
  const kept: number[] = [];
  for (const i of order) {
    if (kept.every((k) => iou(items[k]!.box, items[i]!.box) <= threshold)) kept.push(i);
  }
  return kept;
}
