import * as tf from '@tensorflow/tfjs';
import { Cvae } from '../cvae/model.js';
import { lossParts } from '../cvae/loss.js';
import { mulberry32 } from '../cvae/rng.js';
import { readInto } from '../tf/values.js';
import { Adam } from './adam.js';
import type { ExtraLossTerm } from './extra-loss.js';

/** One model replica and its Adam state: the work of a gradient worker, runnable in any thread. */
export interface Replica {
  model: Cvae;
  vars: tf.Variable[];
  sizes: number[];
  adam: Adam;
  extras: { term: ExtraLossTerm; weight: number }[];
}

export interface StepInput {
  n: number;
  images: Float32Array;
  cond: Float32Array;
  weights: Float32Array | null;
  invBatch: number;
  beta: number;
  noiseSeed: number;
}

export interface StepOutput {
  /** every trainable variable's gradient, flattened and concatenated in variable order */
  grads: Float32Array;
  rec: number;
  kl: number;
  extra: Record<string, number>;
  /** BatchNorm batch [mean, variance] pairs */
  moments: Float32Array[];
}

export function makeReplica(model: Cvae, lr: number, extras: Replica['extras'] = []): Replica {
  const vars = model.trainableVariables();
  return { model, vars, sizes: vars.map((v) => v.size), adam: new Adam(vars, lr), extras };
}

/** Forward, loss and backward on this replica's share of the batch; the flat gradient goes into `into` when given. */
export function computeGradients(s: Replica, m: StepInput, into?: Float32Array): StepOutput {
  const S = s.model.config.imageSize;
  const extra: Record<string, number> = {};
  let rec = 0;
  let kl = 0;
  let flat: Float32Array = new Float32Array(0);
  let moments: Float32Array[] = [];
  tf.tidy(() => {
    const x = tf.tensor4d(m.images, [m.n, S, S, 3]);
    const c = tf.tensor2d(m.cond, [m.n, 2]);
    const w = m.weights ? tf.tensor1d(m.weights) : null;
    const eps = tf.randomNormal([m.n, s.model.config.latentDim], 0, 1, 'float32', m.noiseSeed) as tf.Tensor2D;
    const kept: tf.Scalar[] = [];
    s.model.startMoments();
    const rand = mulberry32(m.noiseSeed ^ 0x5eed);
    const { grads } = tf.variableGrads(() => {
      const f = s.model.forwardTrain(x, c, eps);
      const l = lossParts(x, f.recon, f.mu, f.logvar, m.invBatch, w);
      kept.push(tf.keep(l.rec), tf.keep(l.kl));
      let total = tf.add(l.rec, tf.mul(l.kl, m.beta)) as tf.Scalar;
      for (const e of s.extras) {
        const v = e.term.compute({ model: s.model, images: x, cond: c, recon: f.recon, mu: f.mu, logvar: f.logvar, z: f.z, rng: rand });
        const scaled = tf.mul(v, e.weight * m.n * m.invBatch) as tf.Scalar;
        kept.push(tf.keep(scaled));
        total = tf.add(total, scaled) as tf.Scalar;
      }
      return total;
    }, s.vars);
    const ms = s.model.stopMoments();
    moments = ms.map((t) => t.dataSync() as Float32Array);
    tf.dispose(ms);
    flat = into ?? new Float32Array(s.sizes.reduce((a, b) => a + b, 0));
    let off = 0;
    s.vars.forEach((v, i) => {
      const g = grads[v.name];
      if (g) readInto(g, flat, off);
      else flat.fill(0, off, off + s.sizes[i]!);
      off += s.sizes[i]!;
    });
    rec = kept[0]!.dataSync()[0]!;
    kl = kept[1]!.dataSync()[0]!;
    s.extras.forEach((e, i) => (extra[e.term.name] = kept[2 + i]!.dataSync()[0]!));
    tf.dispose(kept);
  });
  return { grads: flat, rec, kl, extra, moments };
}

/** Adam on the sum of the workers' flat gradients (variable order), then the BatchNorm moving statistics. */
export function applyGradients(s: Replica, flats: readonly Float32Array[], moments: readonly Float32Array[] | null): void {
  let off = 0;
  const parts = s.sizes.map((n) => {
    const views = flats.map((f) => f.subarray(off, off + n));
    off += n;
    return views;
  });
  s.adam.applyFlat(parts);
  if (moments) s.model.updateMovingStats(moments);
}
