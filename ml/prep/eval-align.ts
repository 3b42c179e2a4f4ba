import fs from 'node:fs';
import path from 'node:path';
import type { VisionHost } from '../vision/host.js';
import { detectFaces, primaryFaceIndex } from './detect.js';
import { distance, type Point } from './geometry.js';
import { loadPhoto } from './photo.js';

/** FG-NET's 68-point markup (0-based): 31 and 36 are the pupil centres, left and right in the image. */
export const FGNET_LEFT_PUPIL = 31;
export const FGNET_RIGHT_PUPIL = 36;

export function parsePts(text: string): Point[] {
  const body = text.slice(text.indexOf('{') + 1, text.lastIndexOf('}'));
  return body
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0)
    .map((l) => {
      const [x, y] = l.split(/\s+/).map(Number);
      if (!Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`bad point line "${l}"`);
      return [x!, y!] as Point;
    });
}

export interface AlignImageResult {
  file: string;
  detected: boolean;
  /** Mean of both eyes' errors / true inter-ocular distance; null when no face was found. */
  error: number | null;
  interOcular: number;
}

export interface AlignEvaluation {
  photos: number;
  detected: number;
  detectedFraction: number;
  median: number;
  p95: number;
  mean: number;
  max: number;
  seconds: number;
  images: AlignImageResult[];
}

function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return NaN;
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo);
}

/** Runs the detection pipeline on every FG-NET photo and compares its eye keypoints with the hand-placed pupils. */
export async function evaluateAlignment(host: VisionHost, fgnetDir: string, opts: { maxSide?: number } = {}): Promise<AlignEvaluation> {
  const t0 = performance.now();
  const files = fs.readdirSync(path.join(fgnetDir, 'images')).filter((f) => /\.jpe?g$/i.test(f)).sort();
  const work = files.map(async (file): Promise<AlignImageResult> => {
    const base = file.replace(/\.[^.]+$/, '').toLowerCase();
    const truth = parsePts(fs.readFileSync(path.join(fgnetDir, 'points', `${base}.pts`), 'utf8'));
    const left = truth[FGNET_LEFT_PUPIL]!;
    const right = truth[FGNET_RIGHT_PUPIL]!;
    const iod = distance(left, right);
    const photo = await loadPhoto(path.join(fgnetDir, 'images', file));
    const faces = await detectFaces(host, photo, opts);
    const k = primaryFaceIndex(faces, photo.width, photo.height);
    if (k < 0) return { file, detected: false, error: null, interOcular: iod };
    const kp = faces[k]!.keypoints;
    const error = (distance(kp.leftEye, left) + distance(kp.rightEye, right)) / 2 / iod;
    return { file, detected: true, error, interOcular: iod };
  });
  const images = await Promise.all(work);
  const errors = images.flatMap((r) => (r.error === null ? [] : [r.error])).sort((a, b) => a - b);
  const detected = errors.length;
  return {
    photos: images.length,
    detected,
    detectedFraction: images.length ? detected / images.length : 0,
    median: percentile(errors, 0.5),
    p95: percentile(errors, 0.95),
    mean: errors.reduce((s, e) => s + e, 0) / Math.max(1, detected),
    max: errors[errors.length - 1] ?? NaN,
    seconds: (performance.now() - t0) / 1000,
    images,
  };
}
