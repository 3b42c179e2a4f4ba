import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { initBackend } from '../ml/tf/backend.js';
import { nativeKernels } from '../ml/tf/native-kernels.js';
import { nativeOnWasm, setNativeKernelsEnabled } from '../ml/tf/wasm-native-kernels.js';
import { batchNormTrain, dense } from '../ml/cvae/ops.js';
import { makeCvaeConfig } from '../ml/cvae/config.js';
import { createCvae } from '../ml/cvae/model.js';
import { computeGradients, makeReplica } from '../ml/train/replica.js';

interface Case {
  x: [number, number, number, number];
  f: [number, number, number, number];
  s: number;
  pad: 'same' | 'valid';
}

const CASES: Case[] = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 5], s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 5], s: 2, pad: 'same' },
  { x: [3, 8, 8, 4], f: [3, 3, 4, 6], s: 2, pad: 'same' },
  { x: [2, 7, 10, 2], f: [3, 3, 2, 3], s: 2, pad: 'valid' },
  { x: [2, 11, 13, 3], f: [5, 5, 3, 2], s: 2, pad: 'same' },
  { x: [4, 16, 16, 16], f: [3, 3, 16, 32], s: 2, pad: 'same' },
  { x: [1, 6, 6, 2], f: [1, 1, 2, 2], s: 2, pad: 'valid' },
];

/** Gradients of a conv and a strided transposed conv (filter and input), plus a transposed matmul, as flat arrays. */
function gradients(c: Case, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed);
    const f = tf.randomNormal(c.f, 0, 1, 'float32', seed + 1);
    const target = tf.randomNormal(tf.conv2d(x, f, c.s, c.pad).shape, 0, 1, 'float32', seed + 2);
    const [dx, df] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad), target)))([x, f]);
    const ft = tf.randomNormal([3, 3, c.f[3], c.x[3]], 0, 1, 'float32', seed + 3);
    const out: [number, number, number, number] = [c.x[0], c.x[1] * 2, c.x[2] * 2, c.f[3]];
    const t2 = tf.randomNormal(out, 0, 1, 'float32', seed + 4);
    const [dy2, dw2] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2dTranspose(a as tf.Tensor4D, b as tf.Tensor4D, out, 2, 'same'), t2)))([x, ft]);
    const m = tf.randomNormal([c.x[0], 7], 0, 1, 'float32', seed + 5);
    const w = tf.randomNormal([7, 5], 0, 1, 'float32', seed + 6);
    const [dm, dw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.square(tf.matMul(a as tf.Tensor2D, b as tf.Tensor2D))))([m, w]);
    return [dx!, df!, dy2!, dw2!, dm!, dw!].map((g) => g.dataSync() as Float32Array);
  });
}

/** Forward outputs: a conv with a bias (FusedConv2D), a plain conv, a dilated conv and a transposed conv. */
function forwards(c: Case, seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed);
    const f = tf.randomNormal(c.f, 0, 1, 'float32', seed + 1);
    const bias = tf.randomNormal([c.f[3]], 0, 1, 'float32', seed + 2);
    const fused = tf.fused.conv2d({ x, filter: f, strides: c.s, pad: c.pad, bias });
    const plain = tf.conv2d(x, f, c.s, c.pad);
    const dilated = tf.conv2d(x, f, 1, 'same', 'NHWC', 2);
    const ft = tf.randomNormal([3, 3, c.f[3], c.x[3]], 0, 1, 'float32', seed + 3);
    const transposed = tf.conv2dTranspose(x, ft, [c.x[0], c.x[1] * 2, c.x[2] * 2, c.f[3]], 2, 'same');
    return [fused, plain, dilated, transposed].map((t) => t.dataSync() as Float32Array);
  });
}

/** Training BatchNorm (with and without its LeakyReLU): output, batch moments, and the gradients of x, gamma, beta. */
function batchNorms(shape: [number, number, number, number], seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.add(tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed), 3), 0.5);
    const gamma = tf.randomNormal([shape[3]], 1, 0.3, 'float32', seed + 1);
    const beta = tf.randomNormal([shape[3]], 0, 0.3, 'float32', seed + 2);
    const target = tf.randomNormal(shape, 0, 1, 'float32', seed + 3);
    return [false, true].flatMap((activate) => {
      const moments: tf.Tensor1D[] = [];
      const y = batchNormTrain(x as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, moments, activate);
      const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(batchNormTrain(a as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, null, activate), target)),
      )([x, gamma, beta]);
      const out = [y, ...moments, ...grads].map((t) => t.dataSync() as Float32Array);
      tf.dispose(moments);
      return out;
    });
  });
}

/** Matrix products with every transpose, a batched one, and a dense layer's output and gradients. */
function products(seed: number): Float32Array[] {
  return tf.tidy(() => {
    const r = (shape: number[], k: number): tf.Tensor => tf.randomNormal(shape, 0, 1, 'float32', seed + k);
    const outs = [
      tf.matMul(r([5, 70], 0) as tf.Tensor2D, r([70, 33], 1) as tf.Tensor2D),
      tf.matMul(r([70, 5], 2) as tf.Tensor2D, r([70, 33], 3) as tf.Tensor2D, true, false),
      tf.matMul(r([5, 70], 4) as tf.Tensor2D, r([33, 70], 5) as tf.Tensor2D, false, true),
      tf.matMul(r([70, 17], 6) as tf.Tensor2D, r([130, 70], 7) as tf.Tensor2D, true, true),
      tf.matMul(r([3, 9, 20], 8) as tf.Tensor3D, r([3, 20, 40], 9) as tf.Tensor3D),
    ];
    const x = r([6, 300], 10);
    const w = r([300, 70], 11);
    const b = r([70], 12);
    const target = r([6, 70], 13);
    const y = dense(x as tf.Tensor2D, w as tf.Tensor2D, b as tf.Tensor1D);
    const grads = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) => tf.sum(tf.mul(dense(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D), target)))([x, w, b]);
    return [...outs, y, ...grads].map((t) => t.dataSync() as Float32Array);
  });
}

/** Per-channel and per-image adds and products, sums (the native cases and ones they leave to wasm), and a clone. */
function channelOps(seed: number): Float32Array[] {
  return tf.tidy(() => {
    const x = tf.randomNormal([4, 6, 5, 19], 0, 1, 'float32', seed);
    const b = tf.randomNormal([19], 0, 1, 'float32', seed + 1);
    const outs = [
      tf.add(x, b),
      tf.add(b, x),
      tf.add(x, tf.reshape(b, [1, 1, 1, 19])),
      tf.add(x, tf.randomNormal([6, 1, 19], 0, 1, 'float32', seed + 2)),
      tf.mul(x, b),
      tf.mul(tf.reshape(b, [1, 19]), x),
      tf.mul(x, tf.randomNormal([4, 1, 1, 1], 0, 1, 'float32', seed + 3)),
      tf.add(tf.randomNormal([4, 1, 1, 1], 0, 1, 'float32', seed + 4), x),
      tf.mul(x, tf.randomNormal([4, 6, 1, 1], 0, 1, 'float32', seed + 5)),
      tf.sum(x, [0, 1, 2]),
      tf.sum(x, [2, 0, -3], true),
      tf.sum(x, [1, 2]),
      tf.clone(x),
    ];
    return outs.map((t) => t.dataSync() as Float32Array);
  });
}

const BN_SHAPES: [number, number, number, number][] = [
  [4, 8, 8, 16],
  [3, 5, 7, 3],
  [2, 4, 4, 130],
];

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!) / Math.max(1, Math.abs(b[i]!)));
  return m;
}

describe('wasm training kernels', () => {
  it('Conv2DBackpropFilter, Conv2DBackpropInput and transposed matmuls on wasm equal the cpu backend within 1e-4', async () => {
    await initBackend('cpu');
    const ref = CASES.map((c, i) => gradients(c, 100 + 10 * i));
    const info = await initBackend('wasm');
    expect(info.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    CASES.forEach((c, i) => {
      const got = gradients(c, 100 + 10 * i);
      got.forEach((g, k) => {
        expect(g.some((v) => v !== 0)).toBe(true);
        expect(maxRelDiff(g, ref[i]![k]!), `case ${JSON.stringify(c)} gradient ${k}`).toBeLessThan(1e-4);
      });
    });
  });

  it('the WebAssembly kernels alone (no native addon) equal the cpu backend within 1e-4', async () => {
    await initBackend('cpu');
    const ref = CASES.map((c, i) => [...gradients(c, 100 + 10 * i), ...forwards(c, 300 + 10 * i)]);
    await initBackend('wasm');
    setNativeKernelsEnabled(false);
    try {
      CASES.forEach((c, i) => {
        const got = [...gradients(c, 100 + 10 * i), ...forwards(c, 300 + 10 * i)];
        got.forEach((g, k) => expect(maxRelDiff(g, ref[i]![k]!), `case ${JSON.stringify(c)} output ${k}`).toBeLessThan(1e-4));
      });
    } finally {
      setNativeKernelsEnabled(true);
    }
  });

  it('the native kernels equal the WebAssembly kernels on random inputs, forward and gradients, within 1e-4', async () => {
    const info = await initBackend('wasm');
    if (process.env.CHRONOFACE_NATIVE_KERNELS !== 'off') {
      expect(nativeKernels().kernels, nativeKernels().reason).not.toBeNull();
      expect(info.reason).toMatch(/native (avx512|avx2|generic) kernels for convolutions, matrix products, BatchNorm \+ LeakyReLU and Adam/);
    }
    const run = (): Float32Array[][] => [
      ...CASES.map((c, i) => [...gradients(c, 500 + 10 * i), ...forwards(c, 700 + 10 * i)]),
      ...BN_SHAPES.map((shape, i) => batchNorms(shape, 900 + 10 * i)),
      products(1100),
      channelOps(1200),
    ];
    expect(nativeOnWasm()).toBe(nativeKernels().kernels !== null);
    const native = run();
    setNativeKernelsEnabled(false);
    expect(nativeOnWasm()).toBe(false);
    let wasm: Float32Array[][];
    try {
      wasm = run();
    } finally {
      setNativeKernelsEnabled(true);
    }
    native.forEach((outs, i) =>
      outs.forEach((g, k) => {
        expect(g.some((v) => v !== 0)).toBe(true);
        expect(maxRelDiff(g, wasm[i]![k]!), `case ${i} output ${k}`).toBeLessThan(1e-4);
      }),
    );
  });

  it('a training step of both networks (reference and FiLM) gives the same loss and gradients with and without the native kernels', async () => {
    await initBackend('wasm');
    for (const preset of ['reference', 'film'] as const) {
      const replica = makeReplica(createCvae(makeCvaeConfig({ imageSize: 64, preset }), 1), 8e-4);
      const n = 4;
      const images = Float32Array.from({ length: n * 64 * 64 * 3 }, (_, i) => Math.sin(i * 0.013) * Math.cos(i * 0.0007));
      const input = { n, images, cond: Float32Array.from([0.2, 0, 0.4, 1, 0.6, 0, 0.8, 1]), weights: null, invBatch: 1 / n, beta: 1, noiseSeed: 9 };
      const native = computeGradients(replica, input);
      setNativeKernelsEnabled(false);
      let wasm: ReturnType<typeof computeGradients>;
      try {
        wasm = computeGradients(replica, input);
      } finally {
        setNativeKernelsEnabled(true);
      }
      expect(Math.abs(native.rec - wasm.rec) / wasm.rec, preset).toBeLessThan(1e-5);
      expect(Math.abs(native.kl - wasm.kl) / wasm.kl, preset).toBeLessThan(1e-4);
      let diff = 0;
      let scale = 0;
      native.grads.forEach((g, i) => {
        diff = Math.max(diff, Math.abs(g - wasm.grads[i]!));
        scale = Math.max(scale, Math.abs(wasm.grads[i]!));
      });
      expect(scale).toBeGreaterThan(0);
      expect(diff / scale, preset).toBeLessThan(1e-4);
      native.moments.forEach((m, i) => expect(maxRelDiff(m, wasm.moments[i]!), `${preset} moments ${i}`).toBeLessThan(1e-4));
    }
  });

  it('reports why a backend was chosen, and refuses a forced backend that is absent', async () => {
    const info = await initBackend('wasm');
    expect(info.reason).toMatch(/forced/);
    await expect(initBackend('tensorflow')).rejects.toThrow(/backend "tensorflow" is not available: @tensorflow\/tfjs-node is not installed/);
  });
});
