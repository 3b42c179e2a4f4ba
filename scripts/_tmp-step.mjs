import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/node/ml/tf/backend.js';
import { makeCvaeConfig } from '../dist/node/ml/cvae/config.js';
import { createCvae } from '../dist/node/ml/cvae/model.js';
import { lossParts } from '../dist/node/ml/cvae/loss.js';
import { Adam } from '../dist/node/ml/train/adam.js';
const size = Number(process.argv[2] ?? 128), B = Number(process.argv[3] ?? 32), prof = process.argv[4] === 'prof';
const info = await initBackend(process.argv[5] ?? 'wasm');
const model = createCvae(makeCvaeConfig({ imageSize: size }), 1);
const vars = model.trainableVariables();
const adam = new Adam(vars, 8e-4);
const x = tf.randomUniform([B, size, size, 3], -1, 1, 'float32', 3);
const c = tf.randomUniform([B, 2], 0, 1, 'float32', 4);
function step() {
  const eps = tf.randomNormal([B, 256]);
  const { value, grads } = tf.variableGrads(() => { const f = model.forwardTrain(x, c, eps); const l = lossParts(x, f.recon, f.mu, f.logvar, 1 / B, null); return tf.add(l.rec, l.kl); }, vars);
  adam.apply(vars.map(v => grads[v.name]));
  const lv = value.dataSync()[0];
  tf.dispose([value, eps, ...Object.values(grads)]);
  return lv;
}
step();
if (prof) {
  const p = await tf.profile(() => { step(); });
  const agg = {};
  for (const k of p.kernels) agg[k.name] = (agg[k.name] ?? 0) + k.kernelTimeMs;
  console.log(Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, v]) => `${k}:${v.toFixed(0)}`).join(' '));
}
const t = performance.now(); const N = 4;
for (let i = 0; i < N; i++) step();
const ms = (performance.now() - t) / N;
console.log(JSON.stringify({ backend: info.backend, size, B, msPerStep: Math.round(ms), ips: +(B * 1000 / ms).toFixed(2), tensors: tf.memory().numTensors }));
