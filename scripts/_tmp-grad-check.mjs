import * as tf from '@tensorflow/tfjs';
import { initBackend } from '/work/main/dist/node/ml/tf/backend.js';
const cases = [
  { x: [2, 9, 9, 3], f: [3, 3, 3, 5], s: 1, pad: 'same' },
  { x: [2, 9, 9, 3], f: [3, 3, 3, 5], s: 2, pad: 'same' },
  { x: [3, 8, 8, 4], f: [3, 3, 4, 6], s: 2, pad: 'same' },
  { x: [2, 7, 10, 2], f: [3, 3, 2, 3], s: 2, pad: 'valid' },
  { x: [2, 11, 11, 3], f: [5, 5, 3, 2], s: 2, pad: 'same' },
  { x: [1, 6, 6, 2], f: [1, 1, 2, 2], s: 2, pad: 'valid' },
];
function grads(c, seed) {
  const x = tf.randomNormal(c.x, 0, 1, 'float32', seed);
  const f = tf.randomNormal(c.f, 0, 1, 'float32', seed + 1);
  const g = tf.grads((x, f) => tf.conv2d(x, f, c.s, c.pad).square().sum());
  const [dx, df] = g([x, f]);
  const t = tf.variableGrads; 
  const ft = tf.randomNormal([3,3,c.f[3],c.f[2]], 0, 1, 'float32', seed+2);
  const gt = tf.grads((y, w) => tf.conv2dTranspose(y, w, [c.x[0], c.x[1]*2, c.x[2]*2, c.f[3]], 2, 'same').square().sum());
  const [dy2, dw2] = gt([x, ft]);
  return [dx.arraySync(), df.arraySync(), dy2.arraySync(), dw2.arraySync()].map(a => Float32Array.from(a.flat(4)));
}
await initBackend('cpu');
const ref = cases.map((c, i) => grads(c, 10 * i + 5));
await initBackend('wasm');
console.log(tf.getBackend());
cases.forEach((c, i) => {
  const got = grads(c, 10 * i + 5);
  const diffs = got.map((g, k) => { let m = 0; for (let j = 0; j < g.length; j++) m = Math.max(m, Math.abs(g[j] - ref[i][k][j]) / Math.max(1, Math.abs(ref[i][k][j]))); return m.toExponential(2); });
  console.log(JSON.stringify(c), diffs.join(' '));
});
