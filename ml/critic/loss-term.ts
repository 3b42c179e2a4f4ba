import * as tf from '@tensorflow/tfjs';
import { AGE_SCALE } from '../cvae/cond.js';
import type { ExtraLossInputs, ExtraLossTerm } from '../train/extra-loss.js';
import { AgeCritic, loadCriticValues } from './model.js';

/** Identity forward, zero gradient: the critic's reading of the reconstruction is a reference, not a target. */
const stopGradient = tf.customGrad(((x: tf.Tensor) => ({ value: tf.clone(x), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) })) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as <T extends tf.Tensor>(x: T) => T;

/**
 * The age loss for the trainer's extra-loss hook: each image's z is decoded (training mode) at a random target age in
 * [minAge, maxAge] with its own gender. The term, in years, is |critic(decode) - target| plus
 * |(critic(decode) - critic(reconstruction)) - (target - true age)|: the second part asks for the change in apparent
 * age between the two decodes of the same z, which only listening to the condition can give (making every face look
 * middle-aged satisfies the first part on average, never the second). The critic's weights are plain tensors: it is
 * never trained here. options: { dir, minAge, maxAge }.
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
      const aged = critic.predict(a.model.decodeTrain(a.z, cond));
      const reference = stopGradient(critic.predict(a.recon));
      const trueAge = tf.reshape(tf.mul(tf.slice(a.cond, [0, 0], [n, 1]), AGE_SCALE), [n]);
      const change = tf.abs(tf.sub(tf.sub(aged, reference), tf.sub(t, trueAge)));
      return tf.mean(tf.add(tf.abs(tf.sub(aged, t)), change)) as tf.Scalar;
    },
  };
}
