import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../db/catalogue.js';
import { listTrainCrops, type TrainCropRow } from '../../db/train-crops.js';
import { genderCode } from '../cvae/cond.js';
import { AGE_SHIFT_BIN_EDGES, ageShiftBinIndex } from '../../domain/age-bins.js';
import { mixSeed, mulberry32, permutation } from '../cvae/rng.js';
import type { Balance } from '../../domain/training.js';
import type { Split } from '../../domain/split.js';

export interface Sample {
  cropId: number;
  /** absolute path of the crop PNG */
  file: string;
  age: number;
  gender: number;
  /** UTKFace race code, or null */
  race: number | null;
}

export interface TrainingSet {
  train: Sample[];
  val: Sample[];
  fingerprint: string;
  /** the most common crops.settings_json */
  prep: Record<string, unknown> | null;
  ageRange: { min: number; max: number };
}

export class TrainDataError extends Error {
  override readonly name = 'TrainDataError';
}

/** Accepted crops (and pending ones when asked) with an age, in their stored split. */
export function loadTrainingSet(db: Db, dataDir: string, opts: { includePending: boolean; limit: number | null; seed: number }): TrainingSet {
  const rows = listTrainCrops(db, { includePending: opts.includePending });
  const what = opts.includePending ? 'accepted or pending' : 'accepted';
  if (rows.length === 0) {
    throw new TrainDataError(`no usable crops: the catalogue has no ${what} crops${opts.includePending ? '' : ' (review crops first, or train with --include-pending)'}`);
  }
  const usable = rows.filter((r): r is TrainCropRow & { age: number; split: Split } => r.age !== null && Number.isFinite(r.age) && r.split !== null);
  if (usable.length === 0) throw new TrainDataError(`no usable crops: none of the ${rows.length} ${what} crops has both an age label and a split`);
  const toSample = (r: TrainCropRow & { age: number }): Sample => ({ cropId: r.cropId, file: path.join(dataDir, r.file), age: r.age, gender: genderCode(r.gender), race: r.race });
  let train = usable.filter((r) => r.split === 'train');
  const val = usable.filter((r) => r.split === 'val');
  if (train.length === 0) throw new TrainDataError(`the train split is empty: none of the ${usable.length} usable crops is in it`);
  if (val.length === 0) throw new TrainDataError(`the val split is empty: none of the ${usable.length} usable crops is in it (validation needs some)`);
  if (opts.limit !== null && train.length > opts.limit) {
    const order = permutation(train.length, mulberry32(mixSeed(opts.seed, 0x11417)));
    train = order.slice(0, opts.limit).sort((a, b) => a - b).map((i) => train[i]!);
  }
  const missing = [...train, ...val].find((r) => !fs.existsSync(path.join(dataDir, r.file)));
  if (missing) throw new TrainDataError(`crop file missing: ${missing.file} (crop ${missing.cropId}); re-run preparation`);
  const hash = crypto.createHash('sha256');
  for (const r of [...train, ...val]) hash.update(`${r.cropId}\0${r.file}\0${r.age}\0${r.gender}\0${r.split}\n`);
  const prepCounts = new Map<string, { settings: Record<string, unknown>; n: number }>();
  for (const r of train) {
    const key = JSON.stringify(r.settings);
    const seen = prepCounts.get(key);
    if (seen) seen.n++;
    else prepCounts.set(key, { settings: r.settings, n: 1 });
  }
  const topPrep = [...prepCounts.values()].sort((a, b) => b.n - a.n)[0]?.settings;
  const ages = train.map((r) => r.age);
  return {
    train: train.map(toSample),
    val: val.map(toSample),
    fingerprint: hash.digest('hex'),
    prep: topPrep ?? null,
    ageRange: { min: Math.min(...ages), max: Math.max(...ages) },
  };
}

export interface EpochPlan {
  /** indices into the training samples, batch after batch */
  order: number[];
  /** per-sample loss weights (balance 'weights'), else null */
  weights: Float32Array | null;
  steps: number;
}

/** The epoch's sample order: a function of (seed, epoch) only, so a resumed run replays the same order. */
export function planEpoch(samples: readonly Sample[], balance: Balance, batch: number, seed: number, epoch: number): EpochPlan {
  const n = samples.length;
  const rand = mulberry32(mixSeed(seed, epoch, 0xe90c));
  let order: number[];
  let weights: Float32Array | null = null;
  const bins = samples.map((s) => ageShiftBinIndex(s.age));
  const counts = new Array<number>(AGE_SHIFT_BIN_EDGES.length - 1).fill(0);
  for (const b of bins) counts[b]!++;
  const nonEmpty = counts.filter((c) => c > 0).length;
  if (balance === 'sampler') {
    // Draw bins uniformly, then a face within the bin: every age bin is seen equally often.
    const members = counts.map(() => [] as number[]);
    bins.forEach((b, i) => members[b]!.push(i));
    const filled = members.filter((m) => m.length > 0);
    order = Array.from({ length: n }, () => {
      const m = filled[Math.floor(rand() * filled.length)]!;
      return m[Math.floor(rand() * m.length)]!;
    });
  } else {
    order = permutation(n, rand);
    if (balance === 'weights') {
      weights = new Float32Array(n);
      for (let i = 0; i < n; i++) weights[i] = n / (nonEmpty * counts[bins[i]!]!);
    }
  }
  const steps = n >= batch ? Math.floor(n / batch) : 1;
  return { order: order.slice(0, n >= batch ? steps * batch : n), weights, steps };
}

export interface Batch {
  n: number;
  /** NHWC float32 in [-1, 1] */
  images: Float32Array;
  /** [n, 2] */
  cond: Float32Array;
  weights: Float32Array | null;
  ages: number[];
}

/** Decodes crops with sharp, caching the RGB bytes in memory up to a budget. */
export class CropReader {
  private readonly cache = new Map<string, Uint8Array>();
  private cached = 0;

  constructor(
    readonly size: number,
    private readonly budgetBytes = 1.5 * 1024 ** 3,
  ) {}

  async rgb(file: string): Promise<Uint8Array> {
    const hit = this.cache.get(file);
    if (hit) return hit;
    let buf: Buffer;
    try {
      buf = await sharp(file).removeAlpha().resize(this.size, this.size, { fit: 'fill' }).raw().toBuffer();
    } catch (err) {
      throw new TrainDataError(`cannot read crop ${file}: ${err instanceof Error ? err.message : String(err)}`);
    }
    const bytes = new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
    if (this.cached + bytes.length <= this.budgetBytes) {
      this.cache.set(file, bytes);
      this.cached += bytes.length;
    }
    return bytes;
  }

  /** Builds a batch; `flips[i]` mirrors image i horizontally. */
  async batch(samples: readonly Sample[], flips: readonly boolean[] | null, weights: Float32Array | null): Promise<Batch> {
    const s = this.size;
    const px = s * s * 3;
    const images = new Float32Array(samples.length * px);
    const cond = new Float32Array(samples.length * 2);
    const rgbs = await Promise.all(samples.map((smp) => this.rgb(smp.file)));
    rgbs.forEach((rgb, i) => {
      const base = i * px;
      const flip = flips?.[i] ?? false;
      for (let y = 0; y < s; y++) {
        for (let x = 0; x < s; x++) {
          const src = (y * s + (flip ? s - 1 - x : x)) * 3;
          const dst = base + (y * s + x) * 3;
          images[dst] = rgb[src]! / 127.5 - 1;
          images[dst + 1] = rgb[src + 1]! / 127.5 - 1;
          images[dst + 2] = rgb[src + 2]! / 127.5 - 1;
        }
      }
      cond[2 * i] = samples[i]!.age / 100;
      cond[2 * i + 1] = samples[i]!.gender;
    });
    return { n: samples.length, images, cond, weights, ages: samples.map((x) => x.age) };
  }
}

/** Yields an epoch's batches with `depth` batches decoded ahead, so the backend never waits for the disk. */
export async function* epochBatches(
  reader: CropReader,
  samples: readonly Sample[],
  plan: EpochPlan,
  batch: number,
  flip: boolean,
  seed: number,
  epoch: number,
  depth = 3,
): AsyncGenerator<Batch> {
  const make = (step: number): Promise<Batch> => {
    const idx = plan.order.slice(step * batch, step * batch + batch);
    const rand = mulberry32(mixSeed(seed, epoch, step, 0xf11b));
    const flips = idx.map(() => flip && rand() < 0.5);
    const w = plan.weights ? Float32Array.from(idx, (i) => plan.weights![i]!) : null;
    return reader.batch(
      idx.map((i) => samples[i]!),
      flips,
      w,
    );
  };
  const queue: Promise<Batch>[] = [];
  let next = 0;
  const fill = (): void => {
    while (queue.length < depth && next < plan.steps) {
      const p = make(next++);
      p.catch(() => undefined);
      queue.push(p);
    }
  };
  fill();
  while (queue.length > 0) {
    const b = await queue.shift()!;
    fill();
    yield b;
  }
}
