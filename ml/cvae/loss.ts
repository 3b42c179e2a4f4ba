import * as tf from '@tensorflow/tfjs';

export interface LossParts {
  /** sum of squared error over pixels, summed over the batch, times invBatch */
  rec: tf.Scalar;
  /** KL(q(z|x) || N(0, I)) summed over the batch, times invBatch */
  kl: tf.Scalar;
}

/**
 * The reference loss parts: (sum-SE + beta KL) / batch. `invBatch` is 1 / the full batch size (a worker holding part
 * of the batch still divides by the whole). `weights` are per-image loss weights (age balancing), or null.
 */
export function lossParts(
  images: tf.Tensor4D,
  recon: tf.Tensor4D,
  mu: tf.Tensor2D,
  logvar: tf.Tensor2D,
  invBatch: number,
  weights: tf.Tensor1D | null,
): LossParts {
  let recPer = tf.sum(tf.squaredDifference(recon, images), [1, 2, 3]);
  let klPer = tf.mul(tf.sum(tf.sub(tf.sub(tf.add(logvar, 1), tf.square(mu)), tf.exp(logvar)), 1), -0.5);
  if (weights) {
    recPer = tf.mul(recPer, weights);
    klPer = tf.mul(klPer, weights);
  }
  return { rec: tf.mul(tf.sum(recPer), invBatch) as tf.Scalar, kl: tf.mul(tf.sum(klPer), invBatch) as tf.Scalar };
}
