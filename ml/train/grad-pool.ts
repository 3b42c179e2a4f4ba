import { Worker } from 'node:worker_threads';
import type { CvaeConfig } from '../cvae/config.js';
import { paramSpecs } from '../cvae/model.js';
import type { BackendInfo } from '../tf/backend.js';
import type { AdamState } from './adam.js';
import type { Batch } from './data.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

type InitRequest = Omit<Extract<WorkerRequest, { type: 'init' }>, 'shared'>;

export interface StepResult {
  rec: number;
  kl: number;
  extra: Record<string, number>;
}

export interface EvalResult {
  recSum: number;
  klSum: number;
  sqErrSum: number;
  count: number;
  recon: Float32Array | null;
  sweep: Float32Array | null;
}

class WorkerLink {
  private pending = new Map<number, { resolve: (r: WorkerReply) => void; reject: (e: Error) => void }>();
  private readyWaiter: { resolve: (r: WorkerReply) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;

  constructor(readonly worker: Worker) {
    worker.on('message', (r: WorkerReply) => {
      if (r.type === 'ready') {
        this.readyWaiter?.resolve(r);
        this.readyWaiter = null;
        return;
      }
      if (r.type === 'error' && r.id === null) {
        this.fail(new Error(r.message));
        return;
      }
      const id = (r as { id: number }).id;
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      if (r.type === 'error') p.reject(new Error(r.message));
      else p.resolve(r);
    });
    worker.on('error', (e) => this.fail(e));
    worker.on('exit', (code) => this.fail(new Error(`gradient worker exited (code ${code})`)));
  }

  private fail(e: Error): void {
    if (this.failure) return;
    this.failure = e;
    this.readyWaiter?.reject(e);
    for (const p of this.pending.values()) p.reject(e);
    this.pending.clear();
  }

  ready(): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => (this.readyWaiter = { resolve, reject }));
  }

  send(msg: WorkerRequest, transfer: ArrayBuffer[] = []): void {
    if (this.failure) throw this.failure;
    this.worker.postMessage(msg, transfer);
  }

  request(msg: WorkerRequest & { id: number }, transfer: ArrayBuffer[] = []): Promise<WorkerReply> {
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(msg.id, { resolve, reject });
      this.worker.postMessage(msg, transfer);
    });
  }
}

function trainableCount(config: CvaeConfig): number {
  return paramSpecs(config)
    .filter((s) => s.trainable)
    .reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}

/**
 * Data-parallel training over worker threads: each computes gradients on its share of the batch and writes them into
 * its slot of a shared buffer; every replica's Adam then adds the slots up as it updates (no copy through this thread).
 * The slots come in two banks, used by alternate steps, so a worker that starts step N+1 never overwrites a gradient
 * that a slower worker is still reading for step N.
 */
export class GradPool {
  private nextId = 1;
  private bank = 0;
  private constructor(
    private readonly links: WorkerLink[],
    readonly backend: BackendInfo,
    readonly parameters: number,
  ) {}

  get size(): number {
    return this.links.length;
  }

  static async start(workers: number, init: InitRequest): Promise<GradPool> {
    const url = new URL('./grad-worker.js', import.meta.url);
    const sab = new SharedArrayBuffer(4 * 2 * workers * trainableCount(init.config));
    const spawn = async (): Promise<{ link: WorkerLink; ready: Extract<WorkerReply, { type: 'ready' }> }> => {
      const link = new WorkerLink(new Worker(url));
      const ready = link.ready();
      link.send({ ...init, shared: sab });
      return { link, ready: (await ready) as Extract<WorkerReply, { type: 'ready' }> };
    };
    const first = await spawn();
    // Native TensorFlow already uses every core: one replica is enough there.
    const n = first.ready.backend.backend === 'wasm' || first.ready.backend.backend === 'cpu' ? workers : 1;
    const rest = await Promise.all(Array.from({ length: n - 1 }, () => spawn()));
    const links = [first.link, ...rest.map((r) => r.link)];
    return new GradPool(links, first.ready.backend, first.ready.parameters);
  }

  private split(n: number): number[] {
    const k = Math.min(this.links.length, n);
    return Array.from({ length: k }, (_, i) => Math.floor(((i + 1) * n) / k) - Math.floor((i * n) / k));
  }

  /** Sends each worker its share of the batch (images and cond transferred) and collects the replies in order. */
  private scatter<R extends WorkerReply>(
    b: Batch,
    request: (share: { id: number; k: number; n: number; off: number; images: Float32Array; cond: Float32Array }) => WorkerRequest & { id: number },
  ): Promise<R[]> {
    const px = b.images.length / b.n;
    let off = 0;
    return Promise.all(
      this.split(b.n).map((n, k) => {
        const images = b.images.slice(off * px, (off + n) * px);
        const cond = b.cond.slice(off * 2, (off + n) * 2);
        const msg = request({ id: this.nextId++, k, n, off, images, cond });
        off += n;
        return this.links[k]!.request(msg, [images.buffer, cond.buffer]) as Promise<R>;
      }),
    );
  }

  /** Forward, loss, backward on every worker, then every replica's Adam applies the sum of their gradients. */
  async step(b: Batch, beta: number, noiseSeed: number): Promise<StepResult> {
    const base = this.bank * this.links.length;
    this.bank = 1 - this.bank;
    const replies = await this.scatter<Extract<WorkerReply, { type: 'grads' }>>(b, ({ id, k, n, off, images, cond }) => ({
      type: 'step',
      id,
      n,
      images,
      cond,
      weights: b.weights ? b.weights.slice(off, off + n) : null,
      invBatch: 1 / b.n,
      beta,
      noiseSeed: (noiseSeed + k * 7919) >>> 0,
      slot: base + k,
    }));
    const moments = combineMoments(replies.map((r) => ({ n: r.n, moments: r.moments })));
    const slots = replies.map((_, k) => base + k);
    for (const l of this.links) l.send({ type: 'apply', moments, slots });
    const extra: Record<string, number> = {};
    for (const r of replies) for (const [k, v] of Object.entries(r.extra)) extra[k] = (extra[k] ?? 0) + v;
    return { rec: replies.reduce((a, r) => a + r.rec, 0), kl: replies.reduce((a, r) => a + r.kl, 0), extra };
  }

  /** Inference-mode evaluation of a batch, spread over the workers. */
  async evaluate(b: Batch, wantRecon: boolean, sweepAges: number[] | null): Promise<EvalResult> {
    const replies = await this.scatter<Extract<WorkerReply, { type: 'eval' }>>(b, ({ id, n, images, cond }) => ({
      type: 'eval',
      id,
      n,
      images,
      cond,
      sweepAges,
      wantRecon,
    }));
    const cat = (xs: (Float32Array | null)[]): Float32Array | null => {
      if (xs.some((x) => x === null)) return null;
      const out = new Float32Array(xs.reduce((a, x) => a + x!.length, 0));
      let o = 0;
      for (const x of xs) (out.set(x!, o), (o += x!.length));
      return out;
    };
    return {
      recSum: replies.reduce((a, r) => a + r.recSum, 0),
      klSum: replies.reduce((a, r) => a + r.klSum, 0),
      sqErrSum: replies.reduce((a, r) => a + r.sqErrSum, 0),
      count: replies.reduce((a, r) => a + r.count, 0),
      recon: cat(replies.map((r) => r.recon)),
      sweep: cat(replies.map((r) => r.sweep)),
    };
  }

  async encode(b: Batch): Promise<Float32Array> {
    const replies = await this.scatter<Extract<WorkerReply, { type: 'encode' }>>(b, ({ id, n, images, cond }) => ({ type: 'encode', id, n, images, cond }));
    const out = new Float32Array(replies.reduce((a, r) => a + r.mu.length, 0));
    let o = 0;
    for (const r of replies) (out.set(r.mu, o), (o += r.mu.length));
    return out;
  }

  /** Weights and optimizer state of replica 0 (all replicas hold the same). */
  async state(): Promise<{ values: Map<string, Float32Array>; adam: AdamState }> {
    const r = (await this.links[0]!.request({ type: 'state', id: this.nextId++ })) as Extract<WorkerReply, { type: 'state' }>;
    return { values: new Map(r.values), adam: r.adam };
  }

  async close(): Promise<void> {
    await Promise.all(
      this.links.map(async (l) => {
        try {
          l.send({ type: 'close' });
        } catch {
          /* already gone */
        }
        await new Promise((r) => setTimeout(r, 50));
        await l.worker.terminate();
      }),
    );
  }
}

/** Pools per-worker BatchNorm moments into the moments of the whole batch. */
export function combineMoments(parts: { n: number; moments: Float32Array[] }[]): Float32Array[] | null {
  if (parts.length === 0 || parts[0]!.moments.length === 0) return null;
  if (parts.length === 1) return parts[0]!.moments;
  const total = parts.reduce((a, p) => a + p.n, 0);
  const out: Float32Array[] = [];
  for (let i = 0; i < parts[0]!.moments.length; i += 2) {
    const c = parts[0]!.moments[i]!.length;
    const mean = new Float32Array(c);
    const variance = new Float32Array(c);
    for (const p of parts) for (let j = 0; j < c; j++) mean[j]! += (p.n / total) * p.moments[i]![j]!;
    for (const p of parts) {
      for (let j = 0; j < c; j++) {
        const d = p.moments[i]![j]! - mean[j]!;
        variance[j]! += (p.n / total) * (p.moments[i + 1]![j]! + d * d);
      }
    }
    out.push(mean, variance);
  }
  return out;
}
