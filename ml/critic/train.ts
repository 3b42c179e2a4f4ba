import * as tf from '@tensorflow/tfjs';
import { mixSeed, mulberry32, permutation } from '../cvae/rng.js';
import { Adam } from '../train/adam.js';
import { DEFAULT_CRITIC_EPOCHS } from '../train/config.js';
import type { CropReader, Sample } from '../train/data.js';
import { AgeCritic, initCriticValues, type CriticInfo, type CriticValues } from './model.js';

export interface CriticTrainOptions {
  epochs?: number;
  batch?: number;
  lr?: number;
  seed?: number;
  onEpoch?: (e: { epoch: number; epochs: number; trainMae: number; valMae: number }) => void;
  signal?: AbortSignal;
}

/**
 * Augments a batch so the critic cannot rely on what a decoder gets wrong: per image brightness and contrast jitter,
 * and, for half the batches, a blur (down to a random side and back) so sharp detail alone cannot say "young".
 */
function augment(x: tf.Tensor4D, rand: () => number): tf.Tensor4D {
  const n = x.shape[0];
  const side = x.shape[1];
  const gain = tf.tensor4d(Array.from({ length: n }, () => 0.8 + 0.4 * rand()), [n, 1, 1, 1]);
  const bias = tf.tensor4d(Array.from({ length: n }, () => 0.2 * (rand() - 0.5)), [n, 1, 1, 1]);
  let y = tf.clipByValue(tf.add(tf.mul(x, gain), bias), -1, 1) as tf.Tensor4D;
  if (rand() < 0.5) {
    const r = Math.round(side * (0.25 + 0.35 * rand()));
    y = tf.image.resizeBilinear(tf.image.resizeBilinear(y, [r, r], true), [side, side], true);
  }
  return y;
}

async function meanAbsError(critic: AgeCritic, reader: CropReader, samples: readonly Sample[]): Promise<number> {
  let sum = 0;
  for (let i = 0; i < samples.length; i += 64) {
    const b = await reader.batch(samples.slice(i, i + 64), null, null);
    const s = reader.size;
    const err = tf.tidy(() => tf.sum(tf.abs(tf.sub(critic.predict(tf.tensor4d(b.images, [b.n, s, s, 3])), tf.tensor1d(b.ages)))));
    sum += (await err.data())[0]!;
    err.dispose();
  }
  return sum / Math.max(1, samples.length);
}

/** Trains an age critic on crops (L1 in years, Adam); keeps the weights of the epoch with the best validation MAE. */
export async function trainCritic(reader: CropReader, train: readonly Sample[], val: readonly Sample[], o: CriticTrainOptions = {}): Promise<{ values: CriticValues; info: CriticInfo }> {
  const t0 = Date.now();
  const epochs = o.epochs ?? DEFAULT_CRITIC_EPOCHS;
  const batch = Math.min(o.batch ?? 32, train.length);
  const seed = o.seed ?? 1;
  const critic = new AgeCritic(initCriticValues(mixSeed(seed, 0xc417)), true);
  const vars = critic.variables();
  const adam = new Adam(vars, o.lr ?? 1e-3);
  let best: { values: CriticValues; mae: number } | null = null;
  try {
    for (let epoch = 1; epoch <= epochs; epoch++) {
      if (o.signal?.aborted) throw new Error('critic training cancelled');
      const rand = mulberry32(mixSeed(seed, epoch, 0xa6e));
      const order = permutation(train.length, rand);
      let sum = 0;
      let seen = 0;
      for (let i = 0; i + batch <= order.length; i += batch) {
        const picked = order.slice(i, i + batch).map((k) => train[k]!);
        const b = await reader.batch(picked, picked.map(() => rand() < 0.5), null);
        const s = reader.size;
        const loss = tf.tidy(() => {
          const x = augment(tf.tensor4d(b.images, [b.n, s, s, 3]), rand);
          const target = tf.tensor1d(b.ages);
          const { value, grads } = tf.variableGrads(() => tf.mean(tf.abs(tf.sub(critic.predict(x), target))) as tf.Scalar, vars);
          adam.apply(vars.map((v) => grads[v.name]!));
          return value;
        });
        sum += (await loss.data())[0]! * b.n;
        seen += b.n;
        loss.dispose();
      }
      const valMae = await meanAbsError(critic, reader, val);
      o.onEpoch?.({ epoch, epochs, trainMae: sum / Math.max(1, seen), valMae });
      if (!best || valMae < best.mae) best = { values: critic.readValues(), mae: valMae };
    }
    return { values: best!.values, info: { trainImages: train.length, valImages: val.length, valMae: best!.mae, epochs, seconds: (Date.now() - t0) / 1000 } };
  } finally {
    critic.dispose();
  }
}
