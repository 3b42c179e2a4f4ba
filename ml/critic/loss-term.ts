import * as tf from '@tensorflow/tfjs';
import { AGE_SCALE } from '../cvae/cond.js';
import type { ExtraLossInputs, ExtraLossTerm } from '../train/extra-loss.js';
import { AgeCritic, loadCriticValues } from './model.js';

/**
 * The age loss for the trainer's extra-loss hook: each image's z is decoded (training mode) at a random target age in
 * [minAge, maxAge] with its own gender, and the term is the mean |critic(decode) - target| in years. The critic's
 * weights are plain tensors: it is never trained here. options: { dir, minAge, maxAge }.
 */
export async function createLossTerm(options: Record<string, unknown>): Promise<ExtraLossTerm> {
  const dir = options.dir;
  if (typeof dir !== 'string') throw new Error('age loss: options.dir (the age critic folder) is required');
  const minAge = typeof options.minAge === 'number' ? options.minAge : 15;
  const maxAge = typeof options.maxAge === 'number' ? options.maxAge : 75;
  if (!(maxAge > minAge)) throw new Error(`age loss: maxAge (${maxAge}) must exceed minAge (${minAge})`);
  const critic = new AgeCritic((await loadCriticValues(dir)).values, false);
  return {
    name: 'age-critic',
    compute(a: ExtraLossInputs): tf.Scalar {
      const n = a.z.shape[0];
      const t = tf.tensor1d(Array.from({ length: n }, () => minAge + a.rng() * (maxAge - minAge)));
      const cond = tf.concat([tf.reshape(tf.div(t, AGE_SCALE), [n, 1]), tf.slice(a.cond, [0, 1], [n, 1])], 1) as tf.Tensor2D;
      return tf.mean(tf.abs(tf.sub(critic.predict(a.model.decodeTrain(a.z, cond)), t))) as tf.Scalar;
    },
  };
}
