import * as tf from '@tensorflow/tfjs';
import { BATCH_NORM_TRAIN, BATCH_NORM_TRAIN_GRAD, nativeOnWasm } from '../tf/wasm-native-kernels.js';

/** Training ops with hand-written gradients: the same functions as the stock ones, in forms that are fast on wasm. */

export const BN_EPS = 1e-5;
export const LEAK = 0.1;

/** LeakyReLU(0.1) with a one-pass slope, dy * step(x, 0.1) (1 where x > 0, else 0.1; the stock gradient is slower on wasm). */
export const leaky = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
  save([x]);
  return {
    value: tf.leakyRelu(x, LEAK),
    gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [tf.mul(dy, tf.step(saved[0]!, LEAK))],
  };
}) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as <T extends tf.Tensor>(x: T) => T;

/** tanh as 2 sigmoid(2x) - 1: the same values (within 2e-7) at a sixth of wasm's Tanh kernel time. */
export function tanh<T extends tf.Tensor>(x: T): T {
  return tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) as T;
}

/**
 * x·W + b written so each matmul's second operand (the one XNNPACK repacks on every call) is the small batch-sized
 * matrix, never the large weight that Adam replaces each step: y = (W^T x^T)^T, dx = (W dy^T)^T, dW = x^T dy.
 * On wasm this made the dense layers of a step several times cheaper; the result is the same product. The native
 * kernels read any operand in place, so with them it is the plain x·W + b.
 */
export function dense(x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D): tf.Tensor2D {
  if (nativeOnWasm()) return tf.add(tf.matMul(x, w), b);
  const op = tf.customGrad(((xi: tf.Tensor2D, wi: tf.Tensor2D, bi: tf.Tensor1D, save: tf.GradSaveFunc) => {
    save([xi, wi]);
    const y = tf.add(tf.transpose(tf.matMul(tf.transpose(wi), tf.transpose(xi))), bi);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, ws] = saved as [tf.Tensor2D, tf.Tensor2D];
        const d = dy as tf.Tensor2D;
        return [tf.transpose(tf.matMul(ws, tf.transpose(d))), tf.matMul(tf.transpose(xs), d), tf.sum(d, 0)];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, w, b) as tf.Tensor2D;
}

/**
 * Training-mode BatchNorm with the closed-form gradient (tfjs's generic one tiles the statistics to the full tensor,
 * which dominated the step on wasm), followed by LeakyReLU(LEAK) when `activate`. Pushes the batch [mean, variance]
 * into `collect` when given. With the native kernels on wasm, forward and backward are one native pass each.
 */
export function batchNormTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, collect: tf.Tensor1D[] | null, activate = false): tf.Tensor4D {
  if (nativeOnWasm()) return nativeOnWasmTrain(x, gamma, beta, collect, activate ? LEAK : 1);
  const n = x.shape[0] * x.shape[1] * x.shape[2];
  const op = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const { mean, variance } = tf.moments(xi, [0, 1, 2]);
    if (collect) collect.push(tf.keep(tf.clone(mean) as tf.Tensor1D), tf.keep(tf.clone(variance) as tf.Tensor1D));
    const rstd = tf.rsqrt(tf.add(variance, BN_EPS));
    const xhat = tf.mul(tf.sub(xi, mean), rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const d = dy as tf.Tensor;
        const [xh, rs, gm] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dbeta = tf.sum(d, [0, 1, 2]);
        const dgamma = tf.sum(tf.mul(d, xh), [0, 1, 2]);
        const centred = tf.sub(tf.sub(d, tf.div(dbeta, n)), tf.mul(xh, tf.div(dgamma, n)));
        return [tf.mul(centred, tf.mul(gm, rs)), dgamma, dbeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const y = op(x, gamma, beta) as tf.Tensor4D;
  return activate ? leaky(y) : y;
}

/** The same as native kernels (ml/tf/wasm-native-kernels.ts): one pass forward, one backward, LeakyReLU fused (leak 1: none). */
function nativeOnWasmTrain(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, collect: tf.Tensor1D[] | null, leak: number): tf.Tensor4D {
  const op = tf.customGrad(((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, xhat, mean, variance, rstd] = tf.engine().runKernel(BATCH_NORM_TRAIN, { x: xi, gamma: g, beta: b }, { eps: BN_EPS, leak }) as tf.Tensor[];
    if (collect) collect.push(tf.keep(mean as tf.Tensor1D), tf.keep(variance as tf.Tensor1D));
    save([xhat!, g, b, rstd!]);
    return {
      value: y!,
      gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => {
        const [xh, gm, bt, rs] = saved as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor];
        return tf.engine().runKernel(BATCH_NORM_TRAIN_GRAD, { dy: dy as tf.Tensor, xhat: xh, gamma: gm, beta: bt, rstd: rs }, { leak }) as tf.Tensor[];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(x, gamma, beta) as tf.Tensor4D;
}
