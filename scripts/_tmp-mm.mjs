import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/node/ml/tf/backend.js';
await initBackend('wasm');
const a = tf.randomNormal([32, 8194]), w = tf.randomNormal([8194, 512]), d = tf.randomNormal([32, 512]);
const aT = tf.transpose(a);
const wT = tf.transpose(w);
const cases = {
  'a·w (fwd)': () => tf.matMul(a, w),
  'aT·d tA (dW)': () => tf.matMul(a, d, true, false),
  'explicit aT·d': () => tf.matMul(aT, d),
  'd·wT tB (dx)': () => tf.matMul(d, w, false, true),
  'd·(wT) explicit': () => tf.matMul(d, wT),
  'transpose a': () => tf.transpose(a),
  'transpose w': () => tf.transpose(w),
};
for (const [k, f] of Object.entries(cases)) { f().dispose(); const t = performance.now(); for (let i = 0; i < 5; i++) f().dispose(); console.log(k, ((performance.now() - t) / 5).toFixed(1), 'ms'); }
