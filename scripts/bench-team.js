#!/usr/bin/env node
// Team photos, measured on composite group photos (tests/helpers/group-photo.ts: UTKFace test-split faces on a
// photo-like background, with the true face boxes), one section per stage of the team workflow. One JSON result.
// Usage: npm run bench:team -- [--json] [--no-detect] [--no-speed] [--no-memory] [--no-single-memory] [--faces 30] [--pages 2]
//   detect options: [--canvas 4000x3000] [--widths 40,150] [--seed 1] [--repeat 3] [--keep FILE.jpg]
//   GIF options: [--ages 6] [--speed-canvas 4000x3000] [--memory-mp 100] [--memory-faces 50] [--single-ages 10]
// detect: detectFaces on a --canvas photo of --faces faces (first pass + the search for faces of every size), median
//   wall time over --repeat runs after a warm-up, with recall, false boxes and recall by face width.
// speed: the team GIF of a 12-MP photo (--speed-canvas) of --faces faces at --ages target ages; the faces are found first (each
//   ground-truth box through the drawn-face path, not timed), then ageTeamToFiles is timed from the faces to the written
//   GIF: alignment, age/gender estimate, CVAE decodes, composing every frame, quantising and LZW.
//   secondsPerFace = that time / faces.
// memory: the team GIF of a --memory-mp MP photo (default 100) of --memory-faces faces, aged in a child process of its
//   own; its peak RSS (getrusage maxrss) is the figure. Chromium's vision pages are other processes and not counted.
//   It takes minutes: --no-memory skips it.
// singleMemory: one face on a --memory-mp MP photo aged alone at --single-ages target ages (default 10) the way the
//   studio's single-face run does (agePhotoToFiles: its own detection, the GIF, a PNG per frame, the strip and the crop
//   GIF), in a child process of its own; peakRssMB is its figure, against 2048. --no-single-memory skips it.
// Wall times are noisy on a shared machine: cpuMs (detect: this process and its Chromium helpers; GIF: this process,
// all its threads) is steadier, and the load averages say how busy it was.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { loadPhoto } from '../dist/node/ml/prep/photo.js';
import { detectFaces } from '../dist/node/ml/prep/detect.js';
import { createChromiumVisionHost } from '../dist/node/ml/vision/chromium-host.js';
import { ageTeamToFiles } from '../dist/node/workflows/age-team.js';
import { agePhotoToFiles } from '../dist/node/workflows/age.js';
import { faceFromBox } from '../dist/node/ml/aging/team-faces.js';
import { chooseModel, loadAgingModel } from '../dist/node/ml/aging/model.js';
import { flag, numberOption, option, useSharedModels } from './script-args.js';
import { groupPhotoModule } from './group-photo-module.js';
import { treeCpuMs } from './process-cpu.js';

useSharedModels();
const json = flag('json');
const faces = numberOption('faces', 30);
const nAges = numberOption('ages', 6);
const pages = Math.max(1, numberOption('pages', 2));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-team-'));

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const round = (v, d = 0) => Math.round(v * 10 ** d) / 10 ** d;

async function detectSection(gp) {
  const [canvasW, canvasH] = option('canvas', '4000x3000').split('x').map(Number);
  const widths = option('widths', '40,150').split(',').map(Number);
  const seed = numberOption('seed', 1);
  const repeat = Math.max(1, numberOption('repeat', 3));
  const keep = option('keep');
  const t0 = performance.now();
  const group = await gp.makeGroupPhoto({ faces, widths, canvas: [canvasW, canvasH], seed });
  const makeMs = performance.now() - t0;
  if (keep) fs.writeFileSync(keep, group.jpeg);
  const host = await createChromiumVisionHost({ pages });
  try {
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
      pages,
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
  } finally {
    await host.close();
  }
}

/** Ages every face of `photoFile` (ground-truth `boxes`) into a team GIF; the faces are found first, untimed. */
async function ageOnce(photoFile, boxes) {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const [host, model] = await Promise.all([createChromiumVisionHost({ pages: 1 }), loadAgingModel(chooseModel(dataDir))]);
  try {
    const photo = await loadPhoto(photoFile);
    const found = [];
    let missed = 0;
    for (const b of boxes) {
      const f = await faceFromBox(host, photo, [b[0], b[1], b[2], b[3]]);
      if (!f.found) missed++;
      found.push(f.face);
    }
    const ages = Array.from({ length: nAges }, (_, i) => Math.round(20 + (i * 50) / Math.max(1, nAges - 1)));
    const gif = path.join(tmp, `team-${Date.now()}.gif`);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await ageTeamToFiles({ host, model, photo: photoFile, image: photo, options: { ages, detected: found }, files: { gif }, catalogue: null });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      width: r.team.width,
      height: r.team.height,
      faces: r.team.faces.length,
      facesFromBoxAlone: missed,
      ages: ages.length,
      ms: round(ms),
      secondsPerFace: round(ms / r.team.faces.length / 1000, 3),
      cpuMs: round(cpuMs),
      cpuSecondsPerFace: round(cpuMs / r.team.faces.length / 1000, 3),
      stagesMs: Object.fromEntries(Object.entries(r.team.timings).map(([k, v]) => [k, round(v)])),
      gifBytes: fs.statSync(gif).size,
    };
  } finally {
    await host.close();
    model.cvae.dispose();
  }
}

async function gifSpeedSection(gp) {
  const [w, h] = option('speed-canvas', '4000x3000').split('x').map(Number);
  const group = await gp.makeGroupPhoto({ faces, widths: [150, 260], canvas: [w, h], seed: 30 });
  const file = path.join(tmp, 'speed.jpg');
  fs.writeFileSync(file, group.jpeg);
  return { ...(await ageOnce(file, group.boxes)), limitSecondsPerFace: 0.6 };
}

async function gifMemorySection(gp) {
  const mp = numberOption('memory-mp', 100);
  const side = Math.round(Math.sqrt(mp * 1e6));
  const memFaces = numberOption('memory-faces', 50);
  const big = await gp.makeGroupPhoto({ faces: memFaces, widths: [Math.round(side / 25), Math.round(side / 14)], canvas: [side, side], seed: 100, quality: 85 });
  const bigFile = path.join(tmp, 'big.jpg');
  const boxesFile = path.join(tmp, 'big-boxes.json');
  fs.writeFileSync(bigFile, big.jpeg);
  fs.writeFileSync(boxesFile, JSON.stringify(big.boxes));
  const r = await child(['--memory-child', '--photo', bigFile, '--boxes', boxesFile, '--ages', String(nAges)]);
  return { megapixels: round((side * side) / 1e6, 1), ...r, limitMB: 2048 };
}

/** One face of `photoFile` aged alone into every file the studio's single-face run writes; the face is found here. */
async function ageSingle(photoFile) {
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const [host, model] = await Promise.all([createChromiumVisionHost({ pages: 1 }), loadAgingModel(chooseModel(dataDir))]);
  try {
    const photo = await loadPhoto(photoFile);
    const n = numberOption('single-ages', 10);
    const ages = Array.from({ length: n }, (_, i) => Math.round(10 + (i * 70) / Math.max(1, n - 1)));
    const dir = fs.mkdtempSync(path.join(tmp, 'single-'));
    const files = { gif: path.join(dir, 'aging.gif'), strip: path.join(dir, 'strip.png'), cropGif: path.join(dir, 'crop.gif'), framesDir: dir };
    const t0 = performance.now();
    const r = await agePhotoToFiles({ host, model, photo: photoFile, image: photo, options: { ages }, files: () => files, catalogue: null });
    const ms = performance.now() - t0;
    const t = r.aged.timings;
    return {
      width: r.aged.width,
      height: r.aged.height,
      faces: r.aged.faces.length,
      ages: ages.length,
      ms: round(ms),
      stagesMs: Object.fromEntries(Object.entries(t).map(([k, v]) => [k, round(v)])),
      gifBytes: fs.statSync(files.gif).size,
      stripBytes: fs.statSync(files.strip).size,
      framePngs: r.faces[0].frames.length,
    };
  } finally {
    await host.close();
    model.cvae.dispose();
  }
}

/** Runs this script in a child process with `args`; its last line of output is its JSON result. */
async function child(args) {
  const proc = spawn(process.execPath, [new URL(import.meta.url).pathname, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  proc.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => proc.on('exit', resolve));
  if (code !== 0) throw new Error(`the memory run exited with ${code}`);
  return JSON.parse(out.trim().split('\n').pop());
}

async function singleMemorySection(gp) {
  const mp = numberOption('memory-mp', 100);
  const side = Math.round(Math.sqrt(mp * 1e6));
  const big = await gp.makeGroupPhoto({ faces: 1, widths: [Math.round(side / 8), Math.round(side / 6)], canvas: [side, side], seed: 7, quality: 85 });
  const bigFile = path.join(tmp, 'single.jpg');
  fs.writeFileSync(bigFile, big.jpeg);
  const r = await child(['--single-child', '--photo', bigFile, '--single-ages', String(numberOption('single-ages', 10))]);
  return { megapixels: round((side * side) / 1e6, 1), faceWidth: Math.round(big.boxes[0][2]), ...r, limitMB: 2048 };
}

if (flag('single-child')) {
  const r = await ageSingle(option('photo'));
  process.stdout.write(`${JSON.stringify({ ...r, peakRssMB: round(process.resourceUsage().maxRSS / 1024) })}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

if (flag('memory-child')) {
  const boxes = JSON.parse(fs.readFileSync(option('boxes'), 'utf8'));
  const r = await ageOnce(option('photo'), boxes);
  process.stdout.write(`${JSON.stringify({ ...r, peakRssMB: round(process.resourceUsage().maxRSS / 1024) })}\n`);
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(0);
}

const gp = await groupPhotoModule();
const load0 = os.loadavg();
const result = { cores: os.cpus().length };
try {
  if (!flag('no-detect')) result.detect = await detectSection(gp);
  if (!flag('no-speed')) result.gifSpeed = await gifSpeedSection(gp);
  if (!flag('no-memory')) result.gifMemory = await gifMemorySection(gp);
  if (!flag('no-single-memory')) result.singleMemory = await singleMemorySection(gp);
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
result.loadavg = { start: load0.map((v) => round(v, 1)), end: os.loadavg().map((v) => round(v, 1)) };
if (json) console.log(JSON.stringify(result));
else console.log(JSON.stringify(result, null, 2));
