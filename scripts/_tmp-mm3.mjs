import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/node/ml/tf/backend.js';
await initBackend('wasm');
const T = (name, fn, n = 3) => { tf.tidy(fn); const t = performance.now(); for (let i = 0; i < n; i++) tf.tidy(fn); console.log(name.padEnd(40), ((performance.now() - t) / n).toFixed(1), 'ms'); };
for (const [M, K, N] of [[8194, 16, 512], [512, 16, 8194], [16, 8194, 512], [8194, 16, 64], [1024, 16, 512], [2048, 16, 512], [8194, 32, 512]]) {
  const a = tf.randomNormal([M, K]); const b = tf.randomNormal([K, N]);
  T(`${M}x${K}x${N}`, () => tf.matMul(a, b).dataSync());
}
