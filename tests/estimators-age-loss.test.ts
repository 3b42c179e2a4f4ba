import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../ml/tf/backend.js';
import { registerWasmDepthwiseGrad } from '../ml/estimators/wasm-depthwise-grad.js';
import { createLossTerm } from '../ml/estimators/age-loss.js';
import { createCvae } from '../ml/cvae/model.js';
import { makeCvaeConfig } from '../ml/cvae/config.js';
import { makeCond } from '../ml/cvae/cond.js';

function rand(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

describe('age loss through the frozen face-api age net (trainer extra-loss hook)', () => {
  it('the wasm depthwise input gradient equals the cpu backend within 1e-4', async () => {
    await initBackend('wasm');
    registerWasmDepthwiseGrad();
    const f = (x: tf.Tensor4D, w: tf.Tensor4D): tf.Scalar => tf.sum(tf.mul(tf.depthwiseConv2d(x, w, 1, 'same'), tf.range(0, 2 * 9 * 7 * 5).reshape([2, 9, 7, 5])));
    const xs = rand([2, 9, 7, 5], 1).arraySync() as number[][][][];
    const ws = rand([3, 3, 5, 1], 2).arraySync() as number[][][][];
    const gradOn = async (backend: string): Promise<Float32Array> => {
      await tf.setBackend(backend);
      const x = tf.tensor4d(xs);
      const w = tf.tensor4d(ws);
      const g = tf.grad((v: tf.Tensor4D) => f(v, w))(x);
      const out = (await g.data()) as Float32Array;
      tf.dispose([x, w, g]);
      return out;
    };
    const cpu = await gradOn('cpu');
    const wasm = await gradOn('wasm');
    let maxDiff = 0;
    for (let i = 0; i < cpu.length; i++) maxDiff = Math.max(maxDiff, Math.abs(cpu[i]! - wasm[i]!) / (1 + Math.abs(cpu[i]!)));
    expect(maxDiff).toBeLessThan(1e-4);
    expect(tf.getBackend()).toBe('wasm');
  });

  it('gives a finite age error in years and gradients that reach the decoder', async () => {
    await initBackend('wasm');
    const term = await createLossTerm({ minAge: 20, maxAge: 60 }, { imageSize: 64 });
    const model = createCvae(makeCvaeConfig({ imageSize: 64 }), 5);
    let s = 1;
    const rng = (): number => ((s = (s * 16807) % 2147483647) / 2147483647);
    const images = tf.tidy(() => tf.tanh(rand([2, 64, 64, 3], 3))) as tf.Tensor4D;
    const cond = makeCond([30, 50], [0, 1]);
    const eps = tf.tidy(() => rand([2, model.config.latentDim], 4)) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const f = model.forwardTrain(images, cond, eps);
      return term.compute({ model, images, cond, ...f, rng });
    });
    const loss = (await value.data())[0]!;
    expect(term.name).toBe('age');
    expect(Number.isFinite(loss)).toBe(true);
    expect(loss).toBeGreaterThan(0);
    expect(loss).toBeLessThan(120);
    const names = Object.keys(grads);
    expect(names.length).toBeGreaterThan(0);
    let norm = 0;
    for (const g of Object.values(grads)) {
      const sq = tf.tidy(() => tf.sum(tf.square(g)));
      norm += (await sq.data())[0]!;
      sq.dispose();
    }
    expect(Number.isFinite(norm)).toBe(true);
    expect(norm).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, cond, eps]);
    model.dispose();
  });
});
