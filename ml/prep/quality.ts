import type { Pose } from './detect.js';
import type { QualityFlag } from '../../domain/crop-flags.js';

export interface QualitySignals {
  /** Detector confidence 0..1. */
  score: number;
  /** Faces found in the photo. */
  faceCount: number;
  yaw: number;
  pitch: number;
  roll: number;
  /** Inter-ocular distance in source pixels. */
  interOcular: number;
  /** Variance of the Laplacian of the crop's luminance inside the face (before lighting), at 128 px. */
  blur: number;
  /** Mean luminance inside the face, 0..255 (before lighting). */
  brightness: number;
  /** Luminance standard deviation inside the face (before lighting). */
  contrast: number;
  /** Fraction of the crop that falls outside the photo. */
  outside: number;
  /** Fraction of the crop the person mask covers (1 when background removal is off). */
  faceArea: number;
}

/** Thresholds behind the flags. */
export const THRESHOLDS = {
  profileYaw: 45,
  tinyInterOcular: 24,
  blurryLaplacian: 40,
  darkBrightness: 55,
} as const;

/** Crops whose perceptual hashes differ in at most this many of 64 bits are duplicate candidates... */
export const DUPLICATE_MAX_DISTANCE = 6;
/** ...and duplicates when their central face windows also correlate at least this much (aligned faces of different
 *  people share a layout, so the hash alone gives false matches). */
export const DUPLICATE_MIN_CORRELATION = 0.95;

/** The central face window (between the temples, brows to chin) of a square luminance image, as 24x24. */
export function faceWindow(lum: Float32Array, size: number): Float32Array {
  const N = 24;
  const x0 = 0.2 * size, x1 = 0.8 * size, y0 = 0.2 * size, y1 = 0.85 * size;
  const out = new Float32Array(N * N);
  for (let y = 0; y < N; y++) {
    const sy0 = Math.floor(y0 + ((y1 - y0) * y) / N), sy1 = Math.max(sy0 + 1, Math.floor(y0 + ((y1 - y0) * (y + 1)) / N));
    for (let x = 0; x < N; x++) {
      const sx0 = Math.floor(x0 + ((x1 - x0) * x) / N), sx1 = Math.max(sx0 + 1, Math.floor(x0 + ((x1 - x0) * (x + 1)) / N));
      let acc = 0;
      for (let yy = sy0; yy < sy1; yy++) for (let xx = sx0; xx < sx1; xx++) acc += lum[yy * size + xx]!;
      out[y * N + x] = acc / ((sy1 - sy0) * (sx1 - sx0));
    }
  }
  return out;
}

/** Pearson correlation of two equally long arrays. */
export function correlation(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let ma = 0, mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0, saa = 0, sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma, y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return sab / Math.sqrt(saa * sbb + 1e-9);
}

export function luminance(rgb: Buffer, n: number): Float32Array {
  const y = new Float32Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) y[i] = 0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!;
  return y;
}

/** Mean, standard deviation and Laplacian variance of luminance, weighted by a 0..255 mask. */
export function lumaStats(lum: Float32Array, size: number, mask: Uint8Array | Buffer): { brightness: number; contrast: number; blur: number } {
  let w = 0, s = 0, s2 = 0;
  for (let i = 0; i < lum.length; i++) {
    const m = mask[i]! / 255;
    w += m;
    s += m * lum[i]!;
    s2 += m * lum[i]! * lum[i]!;
  }
  const mean = w > 0 ? s / w : 0;
  const variance = w > 0 ? Math.max(0, s2 / w - mean * mean) : 0;
  let lw = 0, ls = 0, ls2 = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const m = mask[i]! === 255 ? 1 : 0;
      if (!m) continue;
      const lap = lum[i - 1]! + lum[i + 1]! + lum[i - size]! + lum[i + size]! - 4 * lum[i]!;
      lw++;
      ls += lap;
      ls2 += lap * lap;
    }
  }
  const lmean = lw > 0 ? ls / lw : 0;
  const blur = lw > 0 ? ls2 / lw - lmean * lmean : 0;
  return { brightness: mean, contrast: Math.sqrt(variance), blur };
}

/** 64-bit DCT perceptual hash of a 32x32 luminance image, as 16 hex digits. */
export function perceptualHash(lum32: Float32Array): string {
  const N = 32;
  const K = 8;
  const cos = new Float64Array(K * N);
  for (let u = 0; u < K; u++) for (let x = 0; x < N; x++) cos[u * N + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * N));
  // Rows first, then columns, keeping only the K lowest frequencies.
  const rows = new Float64Array(N * K);
  for (let y = 0; y < N; y++) {
    for (let u = 0; u < K; u++) {
      let acc = 0;
      for (let x = 0; x < N; x++) acc += lum32[y * N + x]! * cos[u * N + x]!;
      rows[y * K + u] = acc;
    }
  }
  const coeffs: number[] = [];
  for (let v = 0; v < K; v++) {
    for (let u = 0; u < K; u++) {
      let acc = 0;
      for (let y = 0; y < N; y++) acc += rows[y * K + u]! * cos[v * N + y]!;
      coeffs.push(acc);
    }
  }
  const ac = coeffs.slice(1);
  const median = [...ac].sort((a, b) => a - b)[Math.floor(ac.length / 2)]!;
  let hex = '';
  for (let i = 0; i < 64; i += 4) {
    let nib = 0;
    for (let b = 0; b < 4; b++) nib = (nib << 1) | (coeffs[i + b]! > median ? 1 : 0);
    hex += nib.toString(16);
  }
  return hex;
}

const POPCOUNT = Array.from({ length: 16 }, (_, i) => (i & 1) + ((i >> 1) & 1) + ((i >> 2) & 1) + ((i >> 3) & 1));

export function hammingHex(a: string, b: string): number {
  if (a.length !== b.length) return Math.max(a.length, b.length) * 4;
  let d = 0;
  for (let i = 0; i < a.length; i++) d += POPCOUNT[parseInt(a[i]!, 16) ^ parseInt(b[i]!, 16)]!;
  return d;
}

export function qualityFlags(s: QualitySignals): QualityFlag[] {
  const flags: QualityFlag[] = [];
  if (s.faceCount === 0) flags.push('no-face');
  if (s.faceCount > 1) flags.push('several-faces');
  if (Math.abs(s.yaw) > THRESHOLDS.profileYaw) flags.push('profile');
  if (s.interOcular < THRESHOLDS.tinyInterOcular) flags.push('tiny');
  if (s.blur < THRESHOLDS.blurryLaplacian) flags.push('blurry');
  if (s.brightness < THRESHOLDS.darkBrightness) flags.push('dark');
  return flags;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/** One 0..1 number for sorting the review queue (higher is better). */
export function qualityScore(s: QualitySignals, flags: readonly QualityFlag[]): number {
  const detection = clamp01(s.score);
  const pose = clamp01(1 - Math.max(0, Math.abs(s.yaw) - 10) / 60) * clamp01(1 - Math.max(0, Math.abs(s.pitch) - 10) / 50);
  const size = clamp01(s.interOcular / 40);
  const sharp = clamp01(Math.log1p(s.blur) / Math.log1p(200));
  const light = clamp01(1 - Math.max(0, 70 - s.brightness) / 70) * clamp01(1 - Math.max(0, s.brightness - 210) / 45);
  const contrast = clamp01(s.contrast / 25);
  const inside = clamp01(1 - s.outside * 1.5);
  let q = (0.4 + 0.6 * detection) * pose * (0.3 + 0.7 * size) * (0.3 + 0.7 * sharp) * light * (0.5 + 0.5 * contrast) * inside;
  if (flags.includes('several-faces')) q *= 0.9;
  if (flags.includes('duplicate')) q *= 0.5;
  if (flags.includes('no-face')) q *= 0.2;
  return Math.round(clamp01(q) * 10000) / 10000;
}

export function poseOf(s: QualitySignals): Pose {
  return { yaw: s.yaw, pitch: s.pitch, roll: s.roll };
}
