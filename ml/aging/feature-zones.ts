import type { Point } from '../prep/geometry.js';
import { BROW_POINTS, EYE_POINTS, LIP_POINTS } from '../shape/mesh.js';

/** The nose: bridge, tip, wings and nostrils (MediaPipe lists no nose outline). */
export const NOSE_POINTS: readonly number[] = [
  1, 2, 3, 4, 5, 6, 19, 44, 45, 48, 49, 51, 64, 94, 97, 98, 102, 115, 129, 168, 195, 197, 220, 248, 274, 275, 278, 279, 281, 294, 326, 327, 331, 344, 358, 440,
];

/** The nose's wings, nostrils and columella (of NOSE_POINTS): dark, sharp edges a smoothing must not smear. */
export const NOSTRIL_POINTS: readonly number[] = [2, 48, 64, 94, 97, 98, 102, 115, 129, 278, 294, 326, 327, 331, 344, 358];

/** Per crop pixel (size x size), 0..1: how near it lies to any of the mesh points `indices` (a Gaussian of `sigma` px round each, their maximum). */
export function pointZone(landmarks: readonly Point[], indices: readonly number[], size: number, sigma: number): Float32Array {
  const out = new Float32Array(size * size);
  const inv = 1 / (2 * sigma * sigma);
  const reach = 3 * sigma;
  for (const i of indices) {
    const [px, py] = landmarks[i]!;
    const x0 = Math.max(0, Math.floor(px - reach));
    const x1 = Math.min(size - 1, Math.ceil(px + reach));
    const y0 = Math.max(0, Math.floor(py - reach));
    const y1 = Math.min(size - 1, Math.ceil(py + reach));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const v = Math.exp(-((x + 0.5 - px) ** 2 + (y + 0.5 - py) ** 2) * inv);
        const k = y * size + x;
        if (v > out[k]!) out[k] = v;
      }
    }
  }
  return out;
}

/**
 * Per crop pixel, 0..1: the eyes, brows and nose, the features a face descriptor (and a person) knows someone by.
 * `landmarks` are the face's mesh points in crop px; `sigma` the spread round each point in px.
 */
export function featureZone(landmarks: readonly Point[], size: number, sigma: number): Float32Array {
  return pointZone(landmarks, [...EYE_POINTS.flat(), ...BROW_POINTS.flat(), ...NOSE_POINTS], size, sigma);
}

/**
 * Per crop pixel, 0..1: the eyes with their lids and lashes, the brows, the lips and the nostrils, as outlined by the
 * mesh (`sigma` px round each outline point): what smoothing a face made younger leaves sharp, fading off from them.
 */
export function sharpFeatureZone(landmarks: readonly Point[], size: number, sigma: number): Float32Array {
  return pointZone(landmarks, [...EYE_POINTS.flat(), ...BROW_POINTS.flat(), ...LIP_POINTS, ...NOSTRIL_POINTS], size, sigma);
}
