import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/node/ml/tf/backend.js';
await initBackend('wasm');
const B = 32;
const T = (name, fn) => { fn().dispose(); const t = performance.now(); for (let i = 0; i < 3; i++) fn().dispose(); console.log(name, ((performance.now() - t) / 3).toFixed(1), 'ms'); };
for (const [h, cin, cout] of [[16, 64, 32], [32, 32, 16]]) {
  const x = tf.randomNormal([B, h, h, cin]);
  const w2 = tf.randomNormal([2, 2, cin, 4 * cout]);
  const w3 = tf.randomNormal([3, 3, cin, 4 * cout]);
  T(`conv2x2 explicit ${h}`, () => tf.conv2d(x, w2, 1, [[0, 0], [1, 0], [1, 0], [0, 0]]));
  T(`conv2x2 valid ${h}`, () => tf.conv2d(x, w2, 1, 'valid'));
  T(`conv2x2 same ${h}`, () => tf.conv2d(x, w2, 1, 'same'));
  T(`conv3x3 same ${h}`, () => tf.conv2d(x, w3, 1, 'same'));
  const y = tf.randomNormal([B, h, h, 4 * cout]);
  T(`d2s ${h}`, () => tf.depthToSpace(y, 2));
  T(`transpose ${h}`, () => tf.transpose(y, [0,2,1,3]));
}
