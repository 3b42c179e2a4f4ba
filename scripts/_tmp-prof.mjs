import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../dist/node/ml/tf/backend.js';
import { makeCvaeConfig } from '../dist/node/ml/cvae/config.js';
import { createCvae } from '../dist/node/ml/cvae/model.js';
import { lossParts } from '../dist/node/ml/cvae/loss.js';
import { Adam } from '../dist/node/ml/train/adam.js';
const size = 128, B = 16;
await initBackend('wasm');
const model = createCvae(makeCvaeConfig({ imageSize: size }), 1);
const vars = model.trainableVariables();
const adam = new Adam(vars, 8e-4);
const x = tf.randomUniform([B, size, size, 3], -1, 1, 'float32', 3);
const c = tf.randomUniform([B, 2], 0, 1, 'float32', 4);
function step() {
  const eps = tf.randomNormal([B, 256]);
  model.startMoments();
  const { value, grads } = tf.variableGrads(() => { const f = model.forwardTrain(x, c, eps); const l = lossParts(x, f.recon, f.mu, f.logvar, 1 / B, null); return tf.add(l.rec, l.kl); }, vars);
  tf.dispose(model.stopMoments());
  adam.apply(vars.map(v => grads[v.name]));
  tf.dispose([value, eps, ...Object.values(grads)]);
}
step(); step();
const p = await tf.profile(() => { step(); });
const rows = p.kernels.map(k => ({ name: k.name, ms: k.kernelTimeMs, shapes: JSON.stringify(k.inputShapes) }));
const agg = {};
for (const r of rows) { const key = r.name + ' ' + r.shapes; agg[key] = (agg[key] ?? 0) + r.ms; }
const total = rows.reduce((a, r) => a + r.ms, 0);
console.log('total kernel ms', total.toFixed(0));
console.log(Object.entries(agg).sort((a, b) => b[1] - a[1]).slice(0, 30).map(([k, v]) => `${v.toFixed(1).padStart(7)} ${k}`).join('\n'));
const cpu0 = process.cpuUsage(); const t = performance.now(); for (let i = 0; i < 3; i++) step();
const cpu = process.cpuUsage(cpu0);
console.log('wall ms/step', ((performance.now() - t) / 3).toFixed(0), 'cpu ms/img', ((cpu.user + cpu.system) / 1000 / (3 * B)).toFixed(1));
