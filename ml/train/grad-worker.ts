import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../tf/backend.js';
import { Cvae, createCvae } from '../cvae/model.js';
import { applyGradients, computeGradients, makeReplica, type Replica } from './replica.js';
import type { ExtraLossTerm } from './extra-loss.js';
import type { WorkerReply, WorkerRequest } from './protocol.js';

/** A data-parallel gradient worker: holds a model replica and its Adam state, both kept identical across workers. */

interface State extends Replica {
  shared: Float32Array;
}

let state: State | null = null;
const port = parentPort;
if (!port) throw new Error('grad-worker must run in a worker thread');

function reply(msg: WorkerReply, transfer: ArrayBuffer[] = []): void {
  port!.postMessage(msg, transfer);
}

function need(): State {
  if (!state) throw new Error('worker not initialised');
  return state;
}

async function init(m: Extract<WorkerRequest, { type: 'init' }>): Promise<void> {
  const backend = await initBackend(m.backend);
  const model = m.values ? new Cvae(m.config, new Map(m.values)) : createCvae(m.config, m.seed);
  const extras: Replica['extras'] = [];
  for (const spec of m.extraLosses) {
    const mod = (await import(pathToFileURL(spec.module).href)) as {
      createLossTerm?: (options: Record<string, unknown>, ctx: { imageSize: number }) => Promise<ExtraLossTerm>;
    };
    if (typeof mod.createLossTerm !== 'function') throw new Error(`extra loss module ${spec.module} does not export createLossTerm`);
    extras.push({ term: await mod.createLossTerm(spec.options ?? {}, { imageSize: m.config.imageSize }), weight: spec.weight });
  }
  const replica = makeReplica(model, m.lr, extras);
  if (m.adam) replica.adam.setState(m.adam);
  if (m.filmLr !== 1) replica.adam.setLrScales(replica.vars.map((v) => (/\/dec\/film\d+\//.test(v.name) ? m.filmLr : 1)));
  state = { ...replica, shared: new Float32Array(m.shared) };
  reply({ type: 'ready', backend, parameters: model.parameterCount() });
}

function slot(s: State, k: number): Float32Array {
  const p = s.sizes.reduce((a, b) => a + b, 0);
  return s.shared.subarray(k * p, (k + 1) * p);
}

function step(m: Extract<WorkerRequest, { type: 'step' }>): void {
  const s = need();
  const r = computeGradients(s, m, slot(s, m.slot));
  reply({ type: 'grads', id: m.id, rec: r.rec, kl: r.kl, extra: r.extra, moments: r.moments, n: m.n });
}

function apply(m: Extract<WorkerRequest, { type: 'apply' }>): void {
  const s = need();
  applyGradients(s, m.slots.map((k) => slot(s, k)), m.moments);
}

function evaluate(m: Extract<WorkerRequest, { type: 'eval' }>): void {
  const s = need();
  const S = s.model.config.imageSize;
  let out: { sqErr: number; kl: number; recon: Float32Array | null; sweep: Float32Array | null } | null = null;
  tf.tidy(() => {
    const x = tf.tensor4d(m.images, [m.n, S, S, 3]);
    const c = tf.tensor2d(m.cond, [m.n, 2]);
    const { mu, logvar } = s.model.encode(x, c);
    const recon = s.model.decode(mu, c);
    const sq = tf.sum(tf.squaredDifference(recon, x));
    const klSum = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar))), -0.5);
    let sweep: Float32Array | null = null;
    if (m.sweepAges) {
      const frames = m.sweepAges.map((a) => {
        const ca = tf.concat([tf.fill([m.n, 1], a / 100), tf.slice(c, [0, 1], [m.n, 1])], 1) as tf.Tensor2D;
        return s.model.decode(mu, ca);
      });
      sweep = tf.stack(frames, 1).dataSync() as Float32Array; // [n, ages, S, S, 3]
    }
    out = {
      sqErr: sq.dataSync()[0]!,
      kl: klSum.dataSync()[0]!,
      recon: m.wantRecon ? (recon.dataSync() as Float32Array) : null,
      sweep,
    };
  });
  if (!out) throw new Error('evaluation produced nothing');
  const done = out as { recon: Float32Array | null; sweep: Float32Array | null };
  const transfer = [done.recon?.buffer, done.sweep?.buffer].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
  const o = out as { sqErr: number; kl: number; recon: Float32Array | null; sweep: Float32Array | null };
  reply({ type: 'eval', id: m.id, recSum: o.sqErr, klSum: o.kl, sqErrSum: o.sqErr, count: m.n, recon: o.recon, sweep: o.sweep }, transfer);
}

function encode(m: Extract<WorkerRequest, { type: 'encode' }>): void {
  const s = need();
  const S = s.model.config.imageSize;
  let mu: Float32Array = new Float32Array(0);
  tf.tidy(() => {
    const r = s.model.encode(tf.tensor4d(m.images, [m.n, S, S, 3]), tf.tensor2d(m.cond, [m.n, 2]));
    mu = r.mu.dataSync() as Float32Array;
  });
  reply({ type: 'encode', id: m.id, mu }, [mu.buffer as ArrayBuffer]);
}

let chain: Promise<void> = Promise.resolve();
port.on('message', (m: WorkerRequest) => {
  chain = chain.then(async () => {
    try {
      if (m.type === 'init') await init(m);
      else if (m.type === 'step') step(m);
      else if (m.type === 'apply') apply(m);
      else if (m.type === 'eval') evaluate(m);
      else if (m.type === 'encode') encode(m);
      else if (m.type === 'state') {
        const s = need();
        reply({ type: 'state', id: m.id, values: [...s.model.readValues().entries()], adam: s.adam.getState() });
      } else if (m.type === 'close') {
        state?.model.dispose();
        state = null;
        port.close();
      }
    } catch (err) {
      reply({ type: 'error', id: 'id' in m ? (m as { id: number }).id : null, message: err instanceof Error ? err.message : String(err) });
    }
  });
});
