#!/usr/bin/env node
// Team photos, measured on a composite group photo (tests/helpers/group-photo.ts: UTKFace test-split faces on a
// photo-like background, with the true face boxes), one section per stage of the team workflow.
// Usage: npm run bench:team -- [--json] [--faces 30] [--canvas 4000x3000] [--widths 40,150] [--seed 1] [--repeat 3]
//   [--pages 2] [--keep FILE.jpg]
// detect: detectFaces on the photo (first pass + the search for faces of every size), median wall time over --repeat
// runs after a warm-up, with recall, false boxes and recall by face width. Wall time is noisy on a shared machine:
// cpuMs (this process and its Chromium helpers, per detection) is steadier, and loadAverage1m says how busy it was.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { build } from 'esbuild';
import { loadPhoto } from '../dist/node/ml/prep/photo.js';
import { detectFaces } from '../dist/node/ml/prep/detect.js';
import { createChromiumVisionHost } from '../dist/node/ml/vision/chromium-host.js';
import { REPO_ROOT, SHARED_DIR, flag, numberOption, option, useSharedModels } from './script-args.js';
import { treeCpuMs } from './process-cpu.js';

useSharedModels();
process.env.CHRONOFACE_SHARED_DIR ??= SHARED_DIR;
const json = flag('json');
const faces = numberOption('faces', 30);
const [canvasW, canvasH] = option('canvas', '4000x3000').split('x').map(Number);
const widths = option('widths', '40,150').split(',').map(Number);
const seed = numberOption('seed', 1);
const repeat = Math.max(1, numberOption('repeat', 3));
const pages = Math.max(1, numberOption('pages', 2));
const keep = option('keep');

/** tests/helpers/group-photo.ts, bundled once into dist/bench so this script uses the tests' own generator. */
async function groupPhotoModule() {
  const out = path.join(REPO_ROOT, 'dist/bench/group-photo.mjs');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'tests/helpers/group-photo.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile: out,
    logLevel: 'warning',
  });
  return import(out);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (v, d = 0) => Math.round(v * 10 ** d) / 10 ** d;

async function detectSection(gp, host) {
  const t0 = performance.now();
  const group = await gp.makeGroupPhoto({ faces, widths, canvas: [canvasW, canvasH], seed });
  const makeMs = performance.now() - t0;
  if (keep) fs.writeFileSync(keep, group.jpeg);
  const t1 = performance.now();
  const photo = await loadPhoto(group.jpeg);
  const loadMs = performance.now() - t1;
  await detectFaces(host, photo);
  const times = [];
  let found = [];
  const cpu0 = treeCpuMs(process.pid).total;
  for (let r = 0; r < repeat; r++) {
    const t = performance.now();
    found = await detectFaces(host, photo);
    times.push(performance.now() - t);
  }
  const cpuMs = (treeCpuMs(process.pid).total - cpu0) / repeat;
  const score = gp.scoreDetections(group.boxes, found.map((f) => f.box));
  const hits = score.found.filter(Boolean).length;
  return {
    photo: { width: group.width, height: group.height, megapixels: round((group.width * group.height) / 1e6, 1), faces: group.boxes.length, widths, seed },
    detectMs: round(median(times)),
    detectMsRuns: times.map((t) => round(t)),
    cpuMs: round(cpuMs),
    loadMs: round(loadMs),
    makeMs: round(makeMs),
    found: found.length,
    recall: round(hits / group.boxes.length, 3),
    missed: group.boxes.length - hits,
    falseBoxes: score.falseBoxes.length,
    duplicates: score.duplicates,
    recallByWidth: gp.recallByWidth(group.boxes, score.found),
  };
}

const gp = await groupPhotoModule();
const host = await createChromiumVisionHost({ pages });
const result = { pages, cores: os.cpus().length, loadAverage1m: round(os.loadavg()[0], 1) };
try {
  result.detect = await detectSection(gp, host);
} finally {
  await host.close();
}
if (json) console.log(JSON.stringify(result));
else console.log(JSON.stringify(result, null, 2));
