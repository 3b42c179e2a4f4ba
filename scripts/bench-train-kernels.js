#!/usr/bin/env node
// Per-kernel profile of one gradient worker's training step (forward, loss, backward, Adam) on the wasm backend, run
// in-process with tf.profile. Options: --size 128 --batch 16 (one worker's share) --steps 3 --backend wasm --json
// Prints each kernel (name, input shapes) with its mean ms per step and share of the step, then the totals per kernel.
import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { makeCvaeConfig } from '../dist/node/ml/cvae/config.js';
import { createCvae } from '../dist/node/ml/cvae/model.js';
import { mulberry32 } from '../dist/node/ml/cvae/rng.js';
import { initBackend } from '../dist/node/ml/tf/backend.js';
import { applyGradients, computeGradients, makeReplica } from '../dist/node/ml/train/replica.js';
import { flag, numberOption, option } from './script-args.js';

const size = numberOption('size', 128);
const batch = numberOption('batch', 16);
const steps = numberOption('steps', 3);
const backend = await initBackend(option('backend', 'wasm'));
// Kernel times in CPU ms of this process (the machine is shared: wall time would count other people's work).
tf.env().platform.now = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};
// Wrappers whose inner kernels are profiled too (custom gradients' forward, fused-op dispatch): counted once, inside.
const WRAPPERS = /^(forward|.*__op)$/;
const replica = makeReplica(createCvae(makeCvaeConfig({ imageSize: size }), 1), 8e-4);
const rand = mulberry32(7);
const images = new Float32Array(batch * size * size * 3).map(() => rand() * 2 - 1);
const cond = new Float32Array(batch * 2).map((_, i) => (i % 2 === 0 ? rand() : rand() < 0.5 ? 0 : 1));
const input = (s) => ({ n: batch, images, cond, weights: null, invBatch: 1 / (2 * batch), beta: 1, noiseSeed: s });

const rows = new Map();
const add = (key, ms) => rows.set(key, (rows.get(key) ?? 0) + ms);
let wallMs = 0;
let cpuMs = 0;
const oneStep = async (s, record) => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let grads;
  // tf.profile hands back the same record each time: copy the kernels before the next profile.
  const fwdBwd = [...(await tf.profile(() => {
    grads = computeGradients(replica, input(s));
  })).kernels];
  // What each replica does after the exchange: Adam on the sum of the two workers' gradients (here the same one twice).
  const t1 = tf.env().platform.now();
  applyGradients(replica, [grads.grads, grads.grads], grads.moments);
  const adamMs = tf.env().platform.now() - t1;
  if (!record) return;
  wallMs += performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  cpuMs += (cpu.user + cpu.system) / 1000;
  for (const k of fwdBwd) if (!WRAPPERS.test(k.name)) add(`${k.name}(${k.inputShapes.map((sh) => (sh ? sh.join('x') : '-')).join(', ')})`, k.kernelTimeMs);
  add('Adam over the summed gradients, moving statistics (all of applyGradients)', adamMs);
};
await oneStep(1, false);
for (let s = 0; s < steps; s++) await oneStep(2 + s, true);

const total = wallMs / steps;
const table = [...rows.entries()].map(([kernel, ms]) => ({ kernel, ms: ms / steps })).sort((a, b) => b.ms - a.ms);
const byName = new Map();
for (const r of table) {
  const name = r.kernel.replace(/\(.*$/, '');
  byName.set(name, (byName.get(name) ?? 0) + r.ms);
}
const kernelMs = table.reduce((a, r) => a + r.ms, 0);
const result = {
  backend: backend.backend,
  imageSize: size,
  batch,
  msPerStep: Math.round(total * 10) / 10,
  cpuMsPerImage: Math.round((cpuMs / steps / batch) * 10) / 10,
  kernelMsPerStep: Math.round(kernelMs * 10) / 10,
  byKernel: [...byName.entries()].sort((a, b) => b[1] - a[1]).map(([name, ms]) => ({ name, ms: Math.round(ms * 10) / 10, share: Math.round((ms / kernelMs) * 1000) / 10 })),
  rows: table.map((r) => ({ kernel: r.kernel, ms: Math.round(r.ms * 100) / 100, share: Math.round((r.ms / kernelMs) * 1000) / 10 })),
  loadAverage: os.loadavg()[0],
};
if (flag('json')) console.log(JSON.stringify(result));
else {
  console.log(`${result.backend} ${size}px, ${batch} images per worker: ${result.msPerStep} ms/step, ${result.cpuMsPerImage} CPU ms/image`);
  for (const r of result.byKernel) console.log(`${r.ms.toFixed(1).padStart(8)} ms ${r.share.toFixed(1).padStart(5)}%  ${r.name}`);
  console.log('');
  for (const r of result.rows) if (r.share >= 0.5) console.log(`${r.ms.toFixed(2).padStart(8)} ms ${r.share.toFixed(1).padStart(5)}%  ${r.kernel}`);
}
