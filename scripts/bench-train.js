#!/usr/bin/env node
// Training throughput of the real CVAE step (forward, loss, backward, Adam) on the chosen backend, with the
// data-parallel gradient workers the trainer uses. Options: --size 128 --batch 32 --steps 6 --workers N
// --backend auto|wasm|cpu --preset reference|film --torch (alternate with ../shared/bench/torch_cvae_reference.py in the
// same run, --rounds times, medians reported) --json
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { makeCvaeConfig } from '../dist/node/ml/cvae/config.js';
import { GradPool } from '../dist/node/ml/train/grad-pool.js';
import { mulberry32 } from '../dist/node/ml/cvae/rng.js';
import { SHARED_DIR, flag, numberOption, option } from './script-args.js';

const size = numberOption('size', 128);
const batch = numberOption('batch', 32);
const steps = numberOption('steps', 6);
const workers = numberOption('workers', os.availableParallelism());
const backendPref = option('backend', 'auto');
const preset = option('preset', 'reference');
const json = flag('json');

const config = makeCvaeConfig({ imageSize: size, preset });
const pool = await GradPool.start(workers, { type: 'init', config, seed: 1, lr: 8e-4, backend: backendPref, values: null, adam: null, extraLosses: [], filmLr: 1 });
const rand = mulberry32(7);
const px = size * size * 3;
const makeBatch = () => {
  const images = new Float32Array(batch * px);
  for (let i = 0; i < images.length; i++) images[i] = rand() * 2 - 1;
  const cond = new Float32Array(batch * 2);
  for (let i = 0; i < batch; i++) (cond[2 * i] = rand()), (cond[2 * i + 1] = rand() < 0.5 ? 0 : 1);
  return { n: batch, images, cond, weights: null, ages: [] };
};
const batches = Array.from({ length: 2 }, makeBatch);
await pool.step(batches[0], 1, 1); // warm-up: operator creation, memory growth

const ref = path.join(SHARED_DIR, 'bench/torch_cvae_reference.py');
const torchRun = () => {
  const out = execFileSync('/usr/bin/python3', [ref, '--size', String(size), '--batch', String(batch), '--threads', String(os.availableParallelism())], { encoding: 'utf8' });
  return JSON.parse(out.trim().split('\n').pop()).imagesPerSecond;
};
const oursRun = async () => {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  for (let s = 0; s < steps; s++) await pool.step(batches[s % 2], 1, 2 + s);
  const ms = (performance.now() - t0) / steps;
  const cpu = process.cpuUsage(cpu0);
  return { ms, cpuMsPerImage: (cpu.user + cpu.system) / 1000 / (steps * batch) };
};
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
// With --torch the two alternate (ours, torch, ours, torch, ...) so both see the same machine load.
const torch = flag('torch') && fs.existsSync(ref);
const rounds = numberOption('rounds', torch ? 3 : 1);
const ours = [];
const theirs = [];
let torchError;
for (let r = 0; r < rounds; r++) {
  ours.push(await oursRun());
  if (torch) {
    try {
      theirs.push(torchRun());
    } catch (err) {
      torchError = String(err.message ?? err).split('\n')[0];
    }
  }
}
await pool.close();
const ms = median(ours.map((o) => o.ms));
const result = {
  backend: pool.backend.backend,
  backendReason: pool.backend.reason,
  imageSize: size,
  batch,
  workers: pool.size,
  imagesPerSecond: Math.round((batch * 1000 * 100) / ms) / 100,
  msPerStep: Math.round(ms * 10) / 10,
  cpuMsPerImage: Math.round(median(ours.map((o) => o.cpuMsPerImage)) * 10) / 10,
  parameters: pool.parameters,
  preset,
  loadAverage: os.loadavg()[0],
};
if (rounds > 1) result.rounds = ours.map((o) => Math.round((batch * 100000) / o.ms) / 100);
if (theirs.length > 0) {
  const t = median(theirs);
  result.torchImagesPerSecond = t;
  result.torchRounds = theirs;
  result.ratioToTorch = Math.round((result.imagesPerSecond / t) * 100) / 100;
} else if (flag('torch')) result.torchError = torchError ?? `reference not found at ${ref}`;
if (json) console.log(JSON.stringify(result));
else console.log(`${result.backend} ${size}px batch ${batch}, ${result.workers} workers: ${result.imagesPerSecond} img/s (${result.msPerStep} ms/step)` +
  (result.torchImagesPerSecond ? `; PyTorch ${result.torchImagesPerSecond} img/s, ratio ${result.ratioToTorch}` : ''));
