import type { FaceRegion, FaceSegmentRequest } from '../../contract/vision-page';

/** Iris centres of the 478-point mesh (image left, image right), as in ml/prep/landmarks.ts. */
const LEFT_IRIS = 468;
const RIGHT_IRIS = 473;

/** The turned square to segment around a face (points: x, y, z per landmark, input px). */
export function faceRegion(points: readonly number[], req: FaceSegmentRequest): FaceRegion | null {
  const lx = points[LEFT_IRIS * 3];
  const ly = points[LEFT_IRIS * 3 + 1];
  const rx = points[RIGHT_IRIS * 3];
  const ry = points[RIGHT_IRIS * 3 + 1];
  if (lx === undefined || ly === undefined || rx === undefined || ry === undefined) return null;
  const dx = rx - lx;
  const dy = ry - ly;
  const iod = Math.hypot(dx, dy);
  if (!(iod > 0)) return null;
  // Down axis of the face: the eye line turned by +90 degrees (image y grows downwards).
  const cx = (lx + rx) / 2 - (dy / iod) * req.down * iod;
  const cy = (ly + ry) / 2 + (dx / iod) * req.down * iod;
  return { cx, cy, side: req.extent * iod, angle: Math.atan2(dy, dx) };
}

export function landmarkBox(points: readonly number[]): [number, number, number, number] {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (let i = 0; i + 1 < points.length; i += 3) {
    const x = points[i]!;
    const y = points[i + 1]!;
    if (x < minX) minX = x;
    if (x > maxX) maxX = x;
    if (y < minY) minY = y;
    if (y > maxY) maxY = y;
  }
  return [minX, minY, maxX - minX, maxY - minY];
}
