/**
 * The oracle for the streaming fit (ml/shape/fit-prototypes.ts): the in-memory fit as it was before it streamed,
 * which kept every landmark row and every normalised crop. Tests only; it must give the same prototypes.
 */
import sharp from 'sharp';
import type { Point } from '../../ml/prep/geometry.js';
import { MESH_POINTS } from '../../ml/shape/mesh.js';
import { bandwidthAt, PROTOTYPE_BANDWIDTH, PROTOTYPE_GENDERS, PROTOTYPE_KNOTS, scaledPoints, type AgePrototypes, type PrototypeGender } from '../../ml/shape/prototypes.js';
import { meshWarpField, warpCropImage } from '../../ml/shape/warp-field.js';

interface PrototypeSample {
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
const PROTOTYPE_RANGES: readonly [number, number][] = [[0, 10], [10, 20], [20, 40], [40, 60], [60, 200]];
const MIN_PER_RANGE = 20;
/** Gendered means lean on both genders' pooled mean by this many crops' worth of weight. */
const SHRINK = 3;
/** Knot weights below this share of the kernel's peak are skipped when averaging textures. */
const TEXTURE_CUTOFF = 1e-3;
const TEXTURE_FADE = 0.1;

class PrototypeDataError extends Error {}

/** Ranges (per gender) with too few crops, e.g. "female 60+: 12 crops"; empty when the catalogue can fit prototypes. */
function missingRanges(samples: readonly PrototypeSample[]): string[] {
  const out: string[] = [];
  for (const g of PROTOTYPE_GENDERS) {
    for (const [lo, hi] of PROTOTYPE_RANGES) {
      const n = samples.filter((s) => s.gender === g && s.age >= lo && s.age < hi).length;
      if (n < MIN_PER_RANGE) out.push(`${g} ${hi > 150 ? `${lo}+` : `${lo}-${hi - 1}`}: ${n} crop${n === 1 ? '' : 's'}`);
    }
  }
  return out;
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

/** Per group (race, where the dataset gives one), its share of the samples in `keep`. */
function groupShares(groups: readonly (string | null)[], keep: (i: number) => boolean): Map<string, number> {
  const counts = new Map<string, number>();
  let total = 0;
  groups.forEach((g, i) => {
    if (!keep(i)) return;
    counts.set(g ?? '', (counts.get(g ?? '') ?? 0) + 1);
    total++;
  });
  for (const [k, v] of counts) counts.set(k, v / Math.max(1, total));
  return counts;
}

/**
 * Kernel-weighted means at every knot, per gender, leaning on the pooled mean where a gender's weight is thin. Each
 * mean is stratified by group (race): every group counts with its overall share at every age, so that a dataset whose
 * make-up changes with age (UTKFace's children are more often white or asian) does not turn that into an age change.
 */
function knotMeans(
  count: number,
  rows: (i: number) => ArrayLike<number>,
  length: number,
  genders: readonly ('male' | 'female' | 'unknown')[],
  groups: readonly (string | null)[],
  ages: readonly number[],
  cutoff = 0,
): { means: Record<PrototypeGender, Float32Array[]>; weights: Record<PrototypeGender, number[]> } {
  const keys = ['pooled', ...PROTOTYPE_GENDERS] as const;
  const shares = {
    pooled: groupShares(groups, () => true),
    male: groupShares(groups, (i) => genders[i] === 'male'),
    female: groupShares(groups, (i) => genders[i] === 'female'),
  };
  const means = { male: [] as Float32Array[], female: [] as Float32Array[] };
  const weights = { male: [] as number[], female: [] as number[] };
  for (const knot of PROTOTYPE_KNOTS) {
    const acc = { pooled: new Map<string, { sum: Float64Array; w: number }>(), male: new Map(), female: new Map() } as Record<(typeof keys)[number], Map<string, { sum: Float64Array; w: number }>>;
    for (let i = 0; i < count; i++) {
      const w = kernel(ages[i]!, knot);
      if (w <= cutoff) continue;
      const r = rows(i);
      const g = genders[i]!;
      for (const key of g === 'unknown' ? (['pooled'] as const) : (['pooled', g] as const)) {
        const group = groups[i] ?? '';
        let a = acc[key].get(group);
        if (!a) acc[key].set(group, (a = { sum: new Float64Array(length), w: 0 }));
        const sum = a.sum;
        for (let j = 0; j < length; j++) sum[j] = sum[j]! + w * r[j]!;
        a.w += w;
      }
    }
    const stratified = (key: (typeof keys)[number]): { mean: Float64Array; w: number } => {
      const mean = new Float64Array(length);
      let total = 0;
      let share = 0;
      const parts = [...acc[key].entries()];
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

async function readCropFloat(file: string, cropSize: number, size: number): Promise<Float32Array> {
  let img = sharp(file).removeAlpha();
  if (cropSize !== size) img = img.resize(size, size, { kernel: 'lanczos3' });
  const buf = await img.raw().toBuffer();
  return Float32Array.from(buf);
}

interface FitOptions {
  readonly size: number;
  readonly textures: boolean;
  readonly onProgress?: (done: number, total: number) => void;
}

/** Fits age prototypes to prepared crops (kernel regression over age, per gender). */
export async function fitPrototypesInMemory(samples: readonly PrototypeSample[], opts: FitOptions): Promise<AgePrototypes> {
  const usable = samples.filter((s) => s.landmarks.length >= MESH_POINTS && Number.isFinite(s.age));
  const missing = missingRanges(usable);
  if (missing.length) throw new PrototypeDataError(`too few crops with landmarks to fit age prototypes (at least ${MIN_PER_RANGE} per gender and age range): ${missing.join(', ')}`);
  const { size } = opts;
  const L = MESH_POINTS * 2;
  const shapes = usable.map((s) => flatShape(s.landmarks, size / s.cropSize));
  const genders = usable.map((s) => s.gender);
  const ages = usable.map((s) => s.age);
  const groups = usable.map((s) => s.group);
  const meanShape = new Float32Array(L);
  for (const s of shapes) for (let j = 0; j < L; j++) meanShape[j] = meanShape[j]! + s[j]! / shapes.length;
  const fittedShapes = knotMeans(usable.length, (i) => shapes[i]!, L, genders, groups, ages);

  let textures: Record<PrototypeGender, Uint8Array[]> | null = null;
  if (opts.textures) {
    const px = size * size * 3;
    const meanPts = scaledPoints(meanShape, 1);
    const normalised: Float32Array[] = [];
    for (const [i, s] of usable.entries()) {
      const crop = await readCropFloat(s.file, s.cropSize, size);
      const field = meshWarpField(meanPts, scaledPoints(shapes[i]!, 1), { size, fade: TEXTURE_FADE });
      normalised.push(warpCropImage(crop, size, 3, field));
      opts.onProgress?.(i + 1, usable.length);
    }
    const fitted = knotMeans(usable.length, (i) => normalised[i]!, px, genders, groups, ages, TEXTURE_CUTOFF);
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
    crops: usable.length,
    builtAt: new Date().toISOString(),
  };
}
