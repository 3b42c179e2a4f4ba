import sharp from 'sharp';
import type { Point } from '../prep/geometry.js';
import { MESH_POINTS } from './mesh.js';
import { bandwidthAt, PROTOTYPE_BANDWIDTH, PROTOTYPE_GENDERS, PROTOTYPE_KNOTS, scaledPoints, type AgePrototypes, type PrototypeGender } from './prototypes.js';
import { meshWarpField, warpCropImage } from './warp-field.js';

export interface PrototypeSample {
  readonly age: number;
  readonly gender: 'male' | 'female' | 'unknown';
  /** A make-up group (race) whose share is held fixed across ages, or null. */
  readonly group: string | null;
  /** MediaPipe's landmarks in crop px at the crop's own size (at least the 468 mesh points). */
  readonly landmarks: readonly Point[];
  readonly cropSize: number;
  /** Absolute path of the crop image; needed only with textures. */
  readonly file: string;
}

/** Age ranges that each gender must fill with MIN_PER_RANGE crops before its prototypes are trusted. */
export const PROTOTYPE_RANGES: readonly [number, number][] = [[0, 10], [10, 20], [20, 40], [40, 60], [60, 200]];
export const MIN_PER_RANGE = 20;
/** Gendered means lean on both genders' pooled mean by this many crops' worth of weight. */
const SHRINK = 3;
/** Knot weights below this share of the kernel's peak are skipped when averaging textures. */
const TEXTURE_CUTOFF = 1e-3;
const TEXTURE_FADE = 0.1;

export class PrototypeDataError extends Error {
  override readonly name = 'PrototypeDataError';
}

/** The crops to fit: an array, or a function that starts a fresh pass over them (the fit reads them twice or thrice). */
export type PrototypeSamples = readonly PrototypeSample[] | (() => Iterable<PrototypeSample> | AsyncIterable<PrototypeSample>);

const usableSample = (s: PrototypeSample): boolean => s.landmarks.length >= MESH_POINTS && Number.isFinite(s.age);

async function* usableSamples(samples: PrototypeSamples): AsyncGenerator<PrototypeSample> {
  for await (const s of typeof samples === 'function' ? samples() : samples) if (usableSample(s)) yield s;
}

/** Per gender and age range, how many crops; per group (race), how many overall and per gender. One pass, no crops kept. */
class SampleCounts {
  readonly ranges = new Map<string, number>();
  readonly groups = { pooled: new Map<string, number>(), male: new Map<string, number>(), female: new Map<string, number>() };
  total = 0;

  add(s: Pick<PrototypeSample, 'age' | 'gender' | 'group'>): void {
    this.total++;
    const range = PROTOTYPE_RANGES.findIndex(([lo, hi]) => s.age >= lo && s.age < hi);
    if (range >= 0 && s.gender !== 'unknown') this.ranges.set(`${s.gender} ${range}`, (this.ranges.get(`${s.gender} ${range}`) ?? 0) + 1);
    const group = s.group ?? '';
    const bump = (m: Map<string, number>): void => void m.set(group, (m.get(group) ?? 0) + 1);
    bump(this.groups.pooled);
    if (s.gender !== 'unknown') bump(this.groups[s.gender]);
  }

  missing(): string[] {
    const out: string[] = [];
    for (const g of PROTOTYPE_GENDERS) {
      PROTOTYPE_RANGES.forEach(([lo, hi], r) => {
        const n = this.ranges.get(`${g} ${r}`) ?? 0;
        if (n < MIN_PER_RANGE) out.push(`${g} ${hi > 150 ? `${lo}+` : `${lo}-${hi - 1}`}: ${n} crop${n === 1 ? '' : 's'}`);
      });
    }
    return out;
  }

  /** Each group's share of the crops of `key`. */
  shares(key: 'pooled' | PrototypeGender): Map<string, number> {
    const counts = this.groups[key];
    let total = 0;
    for (const v of counts.values()) total += v;
    return new Map([...counts].map(([k, v]) => [k, v / Math.max(1, total)]));
  }
}

/** Ranges (per gender) with too few crops, e.g. "female 60+: 12 crops"; empty when the catalogue can fit prototypes. */
export function missingRanges(samples: readonly PrototypeSample[]): string[] {
  const counts = new SampleCounts();
  for (const s of samples) counts.add(s);
  return counts.missing();
}

function kernel(age: number, knot: number): number {
  const s = bandwidthAt(knot);
  return Math.exp(-((age - knot) ** 2) / (2 * s * s));
}

function flatShape(points: readonly Point[], k: number): Float64Array {
  const out = new Float64Array(MESH_POINTS * 2);
  for (let i = 0; i < MESH_POINTS; i++) {
    out[2 * i] = points[i]![0] * k;
    out[2 * i + 1] = points[i]![1] * k;
  }
  return out;
}

/** A group must hold this much kernel weight at a knot to count in the stratified mean there. */
const MIN_GROUP_WEIGHT = 2;

type SumKey = 'pooled' | PrototypeGender;
type GroupSums = Map<string, { sum: Float64Array; w: number }>;

/**
 * Running kernel-weighted sums at every knot, per gender (unknown included) and per group (race): crops are added one
 * at a time and none is kept, so memory is knots x genders x groups x `length` doubles whatever the catalogue's size.
 * The pooled sums are the genders' added up when the means are taken, so each crop is added once per knot.
 */
class KnotSums {
  private readonly acc: Record<PrototypeSample['gender'], GroupSums>[] = PROTOTYPE_KNOTS.map(() => ({ male: new Map(), female: new Map(), unknown: new Map() }));

  constructor(
    private readonly length: number,
    private readonly cutoff = 0,
  ) {}

  add(age: number, gender: PrototypeSample['gender'], group: string | null, row: ArrayLike<number>): void {
    const { length } = this;
    for (let k = 0; k < PROTOTYPE_KNOTS.length; k++) {
      const w = kernel(age, PROTOTYPE_KNOTS[k]!);
      if (w <= this.cutoff) continue;
      const sums = this.acc[k]![gender];
      let a = sums.get(group ?? '');
      if (!a) sums.set(group ?? '', (a = { sum: new Float64Array(length), w: 0 }));
      const sum = a.sum;
      for (let j = 0; j < length; j++) sum[j] = sum[j]! + w * row[j]!;
      a.w += w;
    }
  }

  /** One knot's sums for `key`, per group; the pooled ones add up every gender's. */
  private groupSums(k: number, key: SumKey): GroupSums {
    const acc = this.acc[k]!;
    if (key !== 'pooled') return acc[key];
    const pooled: GroupSums = new Map();
    for (const g of ['male', 'female', 'unknown'] as const) {
      for (const [group, a] of acc[g]) {
        const p = pooled.get(group);
        if (!p) pooled.set(group, { sum: a.sum.slice(), w: a.w });
        else {
          for (let j = 0; j < this.length; j++) p.sum[j] = p.sum[j]! + a.sum[j]!;
          p.w += a.w;
        }
      }
    }
    return pooled;
  }

  /**
   * The mean at every knot, per gender, leaning on the pooled mean where a gender's weight is thin. Each mean is
   * stratified by group (race): every group counts with its overall share at every age, so that a dataset whose make-up
   * changes with age (UTKFace's children are more often white or asian) does not turn that into an age change.
   */
  means(counts: SampleCounts): { means: Record<PrototypeGender, Float32Array[]>; weights: Record<PrototypeGender, number[]> } {
    const { length } = this;
    const shares = { pooled: counts.shares('pooled'), male: counts.shares('male'), female: counts.shares('female') };
    const means = { male: [] as Float32Array[], female: [] as Float32Array[] };
    const weights = { male: [] as number[], female: [] as number[] };
    for (let k = 0; k < this.acc.length; k++) {
      const stratified = (key: SumKey): { mean: Float64Array; w: number } => {
        const mean = new Float64Array(length);
        let total = 0;
        let share = 0;
        const parts = [...this.groupSums(k, key).entries()];
        for (const [, a] of parts) total += a.w;
        const counted = parts.filter(([, a]) => a.w >= MIN_GROUP_WEIGHT);
        const use = counted.length ? counted : parts;
        for (const [group, a] of use) {
          const pi = counted.length ? (shares[key].get(group) ?? 0) : a.w;
          share += pi;
          for (let j = 0; j < length; j++) mean[j] = mean[j]! + (pi * a.sum[j]!) / a.w;
        }
        if (share > 0) for (let j = 0; j < length; j++) mean[j] = mean[j]! / share;
        return { mean, w: total };
      };
      const pooled = stratified('pooled');
      for (const g of PROTOTYPE_GENDERS) {
        const own = stratified(g);
        const out = new Float32Array(length);
        const k = pooled.w > 0 ? SHRINK : 0;
        for (let j = 0; j < length; j++) out[j] = (own.w * own.mean[j]! + k * pooled.mean[j]!) / (own.w + k || 1);
        means[g].push(out);
        weights[g].push(own.w);
      }
    }
    return { means, weights };
  }
}

async function readCropFloat(file: string, cropSize: number, size: number): Promise<Float32Array> {
  let img = sharp(file).removeAlpha();
  if (cropSize !== size) img = img.resize(size, size, { kernel: 'lanczos3' });
  const buf = await img.raw().toBuffer();
  return Float32Array.from(buf);
}

/** Crops decoded ahead of the one being warped, so that sharp's thread pool decodes while this thread warps. */
const READ_AHEAD = 4;

async function* withCrops(samples: PrototypeSamples, size: number): AsyncGenerator<{ sample: PrototypeSample; crop: Float32Array }> {
  const queue: { sample: PrototypeSample; crop: Promise<Float32Array> }[] = [];
  for await (const sample of usableSamples(samples)) {
    const crop = readCropFloat(sample.file, sample.cropSize, size);
    crop.catch(() => undefined); // awaited in turn below; a failure is thrown there
    queue.push({ sample, crop });
    if (queue.length > READ_AHEAD) {
      const next = queue.shift()!;
      yield { sample: next.sample, crop: await next.crop };
    }
  }
  for (const next of queue) yield { sample: next.sample, crop: await next.crop };
}

export interface FitOptions {
  readonly size: number;
  readonly textures: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Fits age prototypes to prepared crops (kernel regression over age, per gender), streaming: one pass counts, one sums
 * the shapes, and with textures one more reads, warps and sums each crop in turn. Memory does not grow with the crops.
 */
export async function fitPrototypes(samples: PrototypeSamples, opts: FitOptions): Promise<AgePrototypes> {
  const counts = new SampleCounts();
  for await (const s of usableSamples(samples)) counts.add(s);
  const missing = counts.missing();
  if (missing.length) throw new PrototypeDataError(`too few crops with landmarks to fit age prototypes (at least ${MIN_PER_RANGE} per gender and age range): ${missing.join(', ')}`);
  const { size } = opts;
  const n = counts.total;
  const L = MESH_POINTS * 2;
  const meanShape = new Float32Array(L);
  const shapeSums = new KnotSums(L);
  for await (const s of usableSamples(samples)) {
    const shape = flatShape(s.landmarks, size / s.cropSize);
    for (let j = 0; j < L; j++) meanShape[j] = meanShape[j]! + shape[j]! / n;
    shapeSums.add(s.age, s.gender, s.group, shape);
  }
  const fittedShapes = shapeSums.means(counts);

  let textures: Record<PrototypeGender, Uint8Array[]> | null = null;
  if (opts.textures) {
    const px = size * size * 3;
    const meanPts = scaledPoints(meanShape, 1);
    const textureSums = new KnotSums(px, TEXTURE_CUTOFF);
    let done = 0;
    for await (const { sample: s, crop } of withCrops(samples, size)) {
      const field = meshWarpField(meanPts, scaledPoints(flatShape(s.landmarks, size / s.cropSize), 1), { size, fade: TEXTURE_FADE });
      textureSums.add(s.age, s.gender, s.group, warpCropImage(crop, size, 3, field));
      opts.onProgress?.(++done, n);
    }
    const fitted = textureSums.means(counts);
    textures = { male: fitted.means.male.map((m) => Uint8Array.from(m, (v) => Math.round(v))), female: fitted.means.female.map((m) => Uint8Array.from(m, (v) => Math.round(v))) };
  }
  return {
    version: 1,
    size,
    knots: [...PROTOTYPE_KNOTS],
    bandwidth: { ...PROTOTYPE_BANDWIDTH },
    shapes: fittedShapes.means,
    weights: fittedShapes.weights,
    meanShape,
    textures,
    crops: n,
    builtAt: new Date().toISOString(),
  };
}
