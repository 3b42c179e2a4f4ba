// An extra loss term for tests: pulls decodes at a random other age towards mid-grey (a stand-in for a frozen network).
import * as tf from '@tensorflow/tfjs';

export async function createLossTerm(options, ctx) {
  return {
    name: String(options.name ?? 'grey'),
    compute({ model, z, cond, rng }) {
      const n = z.shape[0];
      const ages = tf.tensor2d(Array.from({ length: n }, () => [rng()]), [n, 1]);
      const other = tf.concat([ages, tf.slice(cond, [0, 1], [n, 1])], 1);
      const out = model.decodeTrain(z, other);
      if (out.shape[1] !== ctx.imageSize) throw new Error('wrong image size');
      return tf.mean(tf.abs(out));
    },
  };
}
