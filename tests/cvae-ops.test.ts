import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../ml/tf/backend.js';
import { BN_EPS, batchNormTrain, dense, leaky, tanh } from '../ml/cvae/ops.js';

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.div(tf.abs(tf.sub(a, b)), tf.maximum(tf.abs(b), 1))).dataSync()[0]!);
}

/** Values and gradients of our fast ops against the stock tfjs formulation, on the wasm backend. */
describe('training ops with hand-written gradients', () => {
  it('dense, LeakyReLU, tanh and training BatchNorm match the stock ops (values and gradients within 1e-4)', async () => {
    await initBackend('wasm');
    tf.tidy(() => {
      const x = tf.randomNormal([6, 40], 0, 1, 'float32', 1) as tf.Tensor2D;
      const w = tf.randomNormal([40, 24], 0, 1, 'float32', 2) as tf.Tensor2D;
      const b = tf.randomNormal([24], 0, 1, 'float32', 3) as tf.Tensor1D;
      const t = tf.randomNormal([6, 24], 0, 1, 'float32', 4);
      const ours = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(dense(a as tf.Tensor2D, c as tf.Tensor2D, d as tf.Tensor1D), t)))([x, w, b]);
      const stock = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(tf.add(tf.matMul(a as tf.Tensor2D, c as tf.Tensor2D), d), t)))([x, w, b]);
      ours.forEach((g, i) => expect(maxDiff(g, stock[i]!), `dense grad ${i}`).toBeLessThan(1e-4));
      expect(maxDiff(dense(x, w, b), tf.add(tf.matMul(x, w), b))).toBeLessThan(1e-4);

      const v = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 5);
      const tv = tf.randomNormal([4, 5, 5, 3], 0, 1, 'float32', 6);
      expect(maxDiff(leaky(v), tf.leakyRelu(v, 0.1))).toBe(0);
      expect(maxDiff(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(leaky(a), tv)))(v), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.leakyRelu(a, 0.1), tv)))(v))).toBe(0);
      expect(maxDiff(tanh(v), tf.tanh(v))).toBeLessThan(1e-6);
      expect(maxDiff(tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tanh(a), tv)))(v), tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.tanh(a), tv)))(v))).toBeLessThan(1e-5);

      const g = tf.randomUniform([3], 0.5, 1.5, 'float32', 7) as tf.Tensor1D;
      const be = tf.randomNormal([3], 0, 1, 'float32', 8) as tf.Tensor1D;
      const x4 = tf.randomNormal([4, 5, 5, 3], 2, 3, 'float32', 9) as tf.Tensor4D;
      const stockBn = (a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor): tf.Tensor => {
        const { mean, variance } = tf.moments(a, [0, 1, 2]);
        return tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, BN_EPS))), gg), bb);
      };
      const collected: tf.Tensor1D[] = [];
      expect(maxDiff(batchNormTrain(x4, g, be, collected), stockBn(x4, g, be))).toBeLessThan(1e-4);
      expect(collected).toHaveLength(2);
      expect(maxDiff(collected[0]!, tf.mean(x4, [0, 1, 2]))).toBeLessThan(1e-5);
      const ob = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(batchNormTrain(a as tf.Tensor4D, gg as tf.Tensor1D, bb as tf.Tensor1D, null), tv)))([x4, g, be]);
      const sb = tf.grads((a: tf.Tensor, gg: tf.Tensor, bb: tf.Tensor) => tf.sum(tf.mul(stockBn(a, gg, bb), tv)))([x4, g, be]);
      ob.forEach((gr, i) => expect(maxDiff(gr, sb[i]!), `batchnorm grad ${i}`).toBeLessThan(1e-4));
      tf.dispose(collected);
    });
  });
});
