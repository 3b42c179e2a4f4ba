import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/node/ml/tf/backend.js';
await initBackend(process.argv[2] ?? 'wasm');
const B = 32;
for (const [h, cin, cout] of [[8, 128, 64], [16, 64, 32], [32, 32, 16], [64, 16, 3]]) {
  const x = tf.randomNormal([B, h, h, cin]), w = tf.randomNormal([3, 3, cout, cin]);
  const f = () => tf.conv2dTranspose(x, w, [B, 2 * h, 2 * h, cout], 2, 'same');
  const big = tf.randomNormal([B, 2*h, 2*h, cout]);
  const wf = tf.randomNormal([3,3,cout,cin]);
  const g = () => tf.conv2d(big, wf, 2, 'same');
  const bf = () => tf.conv2DBackpropFilter? null : null;
  for (const [name, fn] of [['convT', f], ['conv', g]]) {
    fn().dispose(); const t = performance.now(); for (let i = 0; i < 3; i++) fn().dispose();
    console.log(name, h, cin, cout, ((performance.now() - t) / 3).toFixed(1), 'ms');
  }
}
