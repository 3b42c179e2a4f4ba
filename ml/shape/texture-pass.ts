import { Worker } from 'node:worker_threads';
import sharp from 'sharp';
import type { Point } from '../prep/geometry.js';
import type { PrototypeSample } from './fit-prototypes.js';
import { KnotSums, type KnotSumPart } from './knot-sums.js';
import { scaledPoints } from './prototypes.js';
import { meshWarpField, warpCropImage } from './warp-field.js';

/** Knot weights below this share of the kernel's peak are skipped when averaging textures. */
const TEXTURE_CUTOFF = 1e-3;
const TEXTURE_FADE = 0.1;
/** Crops decoded ahead of the one being warped, so that sharp's thread pool decodes while this thread warps. */
const READ_AHEAD = 4;
/** Crops per message to a worker, and messages a worker may have waiting: bounds what is queued to BATCH x IN_FLIGHT crops. */
const BATCH = 32;
const IN_FLIGHT = 4;

/** One crop to add to the textures, its mesh already in px of the prototypes' size. */
export interface TextureCrop {
  readonly age: number;
  readonly gender: PrototypeSample['gender'];
  readonly group: string | null;
  readonly file: string;
  readonly cropSize: number;
  /** The mesh points as x0, y0, x1, y1, ... */
  readonly shape: Float64Array;
}

/** What every thread of a texture pass shares: the prototypes' size and the mean shape the crops are warped onto. */
export interface TextureSetup {
  readonly size: number;
  readonly meanShape: Float32Array;
}

export type TextureRequest = { type: 'crops'; crops: TextureCrop[] } | { type: 'finish' };
export type TextureReply = { type: 'done'; n: number } | { type: 'sums'; parts: KnotSumPart[] } | { type: 'error'; message: string };

async function readCropFloat(file: string, cropSize: number, size: number): Promise<Float32Array> {
  let img = sharp(file).removeAlpha();
  if (cropSize !== size) img = img.resize(size, size, { kernel: 'lanczos3' });
  const buf = await img.raw().toBuffer();
  return Float32Array.from(buf);
}

/** Reads each crop, warps it onto the mean shape and adds it to running sums per knot, in the order given. */
export class TextureSums {
  readonly sums: KnotSums;
  private readonly meanPts: Point[];

  constructor(private readonly setup: TextureSetup) {
    this.sums = new KnotSums(setup.size * setup.size * 3, TEXTURE_CUTOFF);
    this.meanPts = scaledPoints(setup.meanShape, 1);
  }

  async addAll(crops: Iterable<TextureCrop> | AsyncIterable<TextureCrop>, onCrops?: (n: number) => void): Promise<void> {
    const { size } = this.setup;
    const queue: { crop: TextureCrop; pixels: Promise<Float32Array> }[] = [];
    const add = async ({ crop, pixels }: (typeof queue)[number]): Promise<void> => {
      const field = meshWarpField(this.meanPts, scaledPoints(crop.shape, 1), { size, fade: TEXTURE_FADE });
      this.sums.add(crop.age, crop.gender, crop.group, warpCropImage(await pixels, size, 3, field));
      onCrops?.(1);
    };
    for await (const crop of crops) {
      const pixels = readCropFloat(crop.file, crop.cropSize, size);
      pixels.catch(() => undefined); // awaited in turn; a failure is thrown there
      queue.push({ crop, pixels });
      if (queue.length > READ_AHEAD) await add(queue.shift()!);
    }
    for (const next of queue) await add(next);
  }
}

/** The key of a crop's gender and group in the counts that `assignGroups` shares out. */
export const textureGroupKey = (c: Pick<TextureCrop, 'gender' | 'group'>): string => `${c.gender}\u0000${c.group ?? ''}`;

/** A worker and the number of a group's crops it takes. */
export interface GroupShare {
  readonly worker: number;
  readonly crops: number;
}

/**
 * Which workers take the crops of each gender and group (race), given how many crops each has: the groups, biggest
 * first, are laid end to end and cut into equal lengths, one per worker, so each worker gets the same number of crops
 * and holds the sums of its own groups only. A group that a cut falls in is shared by the workers on either side, in
 * proportion (its sums are then held by each and added up at the end).
 */
export function assignGroups(counts: ReadonlyMap<string, number>, workers: number): Map<string, GroupShare[]> {
  let total = 0;
  for (const n of counts.values()) total += n;
  const length = total / workers;
  const out = new Map<string, GroupShare[]>();
  let at = 0;
  for (const [key, n] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    const shares: GroupShare[] = [];
    let left = n;
    while (left > 0) {
      const worker = Math.min(workers - 1, Math.floor(at / length + 1e-9));
      const take = worker === workers - 1 ? left : Math.min(left, Math.round((worker + 1) * length - at));
      if (take > 0) shares.push({ worker, crops: take });
      left -= take;
      at += take;
      if (take === 0) at = Math.ceil((worker + 1) * length);
    }
    out.set(key, shares.length ? shares : [{ worker: 0, crops: 0 }]);
  }
  return out;
}

/** Deals a group's crops out to its workers in proportion to their shares, evenly along the way. */
class Dealer {
  private readonly sent: number[];

  constructor(private readonly shares: readonly GroupShare[]) {
    this.sent = shares.map(() => 0);
  }

  next(): number {
    let best = 0;
    for (let i = 1; i < this.shares.length; i++) {
      if ((this.sent[i]! + 1) / this.shares[i]!.crops < (this.sent[best]! + 1) / this.shares[best]!.crops) best = i;
    }
    this.sent[best]!++;
    return this.shares[best]!.worker;
  }
}

/** One worker thread of a texture pass: at most IN_FLIGHT batches queued, its sums handed back at the end. */
class TextureWorker {
  private readonly worker: Worker;
  private inFlight = 0;
  private parts: KnotSumPart[] | null = null;
  private failure: Error | null = null;
  private finished = false;
  private wake: (() => void) | null = null;

  constructor(setup: TextureSetup, onCrops: ((n: number) => void) | undefined) {
    this.worker = new Worker(new URL('./texture-worker.js', import.meta.url), { workerData: setup });
    this.worker.on('message', (r: TextureReply) => {
      if (r.type === 'done') {
        this.inFlight--;
        onCrops?.(r.n);
      } else if (r.type === 'sums') this.parts = r.parts;
      else this.fail(new Error(r.message));
      this.changed();
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => this.fail(new Error(`a texture worker exited (code ${code})`)));
  }

  private fail(e: Error): void {
    if (this.finished || this.failure) return;
    this.failure = e;
    this.changed();
  }

  private changed(): void {
    const wake = this.wake;
    this.wake = null;
    wake?.();
  }

  private async until(ready: () => boolean): Promise<void> {
    while (!this.failure && !ready()) await new Promise<void>((resolve) => (this.wake = resolve));
    if (this.failure) throw this.failure;
  }

  async send(crops: TextureCrop[]): Promise<void> {
    await this.until(() => this.inFlight < IN_FLIGHT);
    this.inFlight++;
    this.worker.postMessage({ type: 'crops', crops } satisfies TextureRequest, crops.map((c) => c.shape.buffer as ArrayBuffer));
  }

  async finish(): Promise<KnotSumPart[]> {
    this.worker.postMessage({ type: 'finish' } satisfies TextureRequest);
    await this.until(() => this.parts !== null);
    this.finished = true;
    return this.parts!;
  }

  async stop(): Promise<void> {
    this.finished = true;
    await this.worker.terminate();
  }
}

/**
 * The texture sums over `crops`, read and warped by `workers` worker threads while this one reads the catalogue.
 * `groupCounts` holds how many crops each gender and group has (keys: gender, NUL, group), to share them out.
 */
export async function textureSumsInWorkers(
  crops: AsyncIterable<TextureCrop>,
  setup: TextureSetup,
  groupCounts: ReadonlyMap<string, number>,
  workers: number,
  onCrops?: (n: number) => void,
): Promise<KnotSums> {
  const assigned = assignGroups(groupCounts, workers);
  const pool = Array.from({ length: workers }, () => new TextureWorker(setup, onCrops));
  try {
    const batches: TextureCrop[][] = pool.map(() => []);
    const dealers = new Map<string, Dealer>();
    for await (const crop of crops) {
      const key = textureGroupKey(crop);
      let dealer = dealers.get(key);
      if (!dealer) dealers.set(key, (dealer = new Dealer(assigned.get(key) ?? [{ worker: 0, crops: 1 }])));
      const w = dealer.next();
      batches[w]!.push(crop);
      if (batches[w]!.length >= BATCH) await pool[w]!.send(batches[w]!.splice(0));
    }
    await Promise.all(pool.map((p, w) => (batches[w]!.length ? p.send(batches[w]!) : undefined)));
    const sums = new KnotSums(setup.size * setup.size * 3, TEXTURE_CUTOFF);
    for (const p of pool) sums.merge(await p.finish());
    return sums;
  } finally {
    await Promise.all(pool.map((p) => p.stop()));
  }
}
