import type { Point } from '../prep/geometry.js';
import { KnotSums } from './knot-sums.js';
import { MESH_POINTS } from './mesh.js';
import { PROTOTYPE_BANDWIDTH, PROTOTYPE_GENDERS, PROTOTYPE_KNOTS, type AgePrototypes, type PrototypeGender } from './prototypes.js';
import { textureGroupKey, TextureSums, textureSumsInWorkers, type TextureCrop } from './texture-pass.js';

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
  /** Per gender (unknown included) and group, keyed as the texture pass shares crops out. */
  readonly genderGroups = new Map<string, number>();
  total = 0;

  add(s: Pick<PrototypeSample, 'age' | 'gender' | 'group'>): void {
    this.total++;
    const range = PROTOTYPE_RANGES.findIndex(([lo, hi]) => s.age >= lo && s.age < hi);
    if (range >= 0 && s.gender !== 'unknown') this.ranges.set(`${s.gender} ${range}`, (this.ranges.get(`${s.gender} ${range}`) ?? 0) + 1);
    const group = s.group ?? '';
    const bump = (m: Map<string, number>): void => void m.set(group, (m.get(group) ?? 0) + 1);
    bump(this.groups.pooled);
    if (s.gender !== 'unknown') bump(this.groups[s.gender]);
    const key = textureGroupKey(s);
    this.genderGroups.set(key, (this.genderGroups.get(key) ?? 0) + 1);
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

function flatShape(points: readonly Point[], k: number): Float64Array {
  const out = new Float64Array(MESH_POINTS * 2);
  for (let i = 0; i < MESH_POINTS; i++) {
    out[2 * i] = points[i]![0] * k;
    out[2 * i + 1] = points[i]![1] * k;
  }
  return out;
}

/** The usable crops as the texture pass takes them, their meshes in px of `size`. */
async function* textureCrops(samples: PrototypeSamples, size: number): AsyncGenerator<TextureCrop> {
  for await (const s of usableSamples(samples)) {
    yield { age: s.age, gender: s.gender, group: s.group, file: s.file, cropSize: s.cropSize, shape: flatShape(s.landmarks, size / s.cropSize) };
  }
}

export interface FitOptions {
  readonly size: number;
  readonly textures: boolean;
  /** Worker threads that read and warp the crops for the textures; 1 (the default) does it on this thread. */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/**
 * Fits age prototypes to prepared crops (kernel regression over age, per gender), streaming: one pass counts, one sums
 * the shapes, and with textures one more reads, warps and sums each crop in turn (on `workers` threads, whose sums are
 * added up). Memory does not grow with the crops.
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
    const setup = { size, meanShape };
    let done = 0;
    const onCrops = (k: number): void => {
      done += k;
      opts.onProgress?.(done, n);
    };
    const workers = opts.workers ?? 1;
    let textureSums: KnotSums;
    if (workers > 1) textureSums = await textureSumsInWorkers(textureCrops(samples, size), setup, counts.genderGroups, workers, onCrops);
    else {
      const pass = new TextureSums(setup);
      await pass.addAll(textureCrops(samples, size), onCrops);
      textureSums = pass.sums;
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
