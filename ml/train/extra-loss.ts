import type * as tf from '@tensorflow/tfjs';
import type { Cvae } from '../cvae/model.js';

export type { ExtraLossSpec } from './config.js';

export interface ExtraLossInputs {
  model: Cvae;
  images: tf.Tensor4D;
  cond: tf.Tensor2D;
  recon: tf.Tensor4D;
  mu: tf.Tensor2D;
  logvar: tf.Tensor2D;
  z: tf.Tensor2D;
  /** seeded per step: use it for random target ages so runs stay deterministic */
  rng: () => number;
}

/**
 * A loss term through a frozen network (an age estimator, a face descriptor). A module named in
 * TrainConfig.extraLosses exports `createLossTerm(options, { imageSize }): Promise<ExtraLossTerm>`; each gradient worker
 * loads it once. compute() runs inside the gradient tape and returns a scalar averaged per image; the trainer multiplies
 * it by the spec's weight. Keep the frozen network's weights out of the trainable variables (tf.tensor, not tf.variable).
 */
export interface ExtraLossTerm {
  name: string;
  compute(a: ExtraLossInputs): tf.Scalar;
}
