import { templatePoints } from '../prep/template.js';

/**
 * The cheeks and the beard's place in every aligned crop (template.ts): what beard-lift.ts and grey-beard.ts read a
 * man's skin from and where they act.
 */

/** Indices (row by row) of the crop's cheek pixels: from 30 % of the way from the eyes to the nose tip down to the tip, beside the nose. */
export function cheekPixels(size: number): number[] {
  const pts = templatePoints(size);
  const eyeY = (pts[0]![1] + pts[1]![1]) / 2;
  const noseY = pts[2]![1];
  const cx = pts[2]![0];
  const out: number[] = [];
  for (let y = Math.ceil(eyeY + 0.3 * (noseY - eyeY)); y < noseY; y++) {
    for (let x = 0; x < size; x++) if (Math.abs(x + 0.5 - cx) >= 0.12 * size) out.push(y * size + x);
  }
  return out;
}

/**
 * Per crop row, 0..1: how far below the nose it lies, rising from `start` of the way from the nose tip to the mouth
 * over `ramp` of that way (at least a pixel).
 */
export function belowNose(size: number, start: number, ramp: number): Float64Array {
  const pts = templatePoints(size);
  const noseY = pts[2]![1];
  const mouthY = (pts[3]![1] + pts[4]![1]) / 2;
  const top = noseY + start * (mouthY - noseY);
  const span = Math.max(1, ramp * (mouthY - noseY));
  const out = new Float64Array(size);
  for (let y = 0; y < size; y++) out[y] = Math.min(1, Math.max(0, (y + 0.5 - top) / span));
  return out;
}
