#!/usr/bin/env node
// The team GIF: every face of a group photo aged together into one GIF at the photo's resolution.
// speed: a 12-MP composite (tests/helpers/group-photo.ts: UTKFace test-split faces on a photo-like background) of
//   --faces N faces (default 30) at --ages A target ages (default 6); the faces are found first (each ground-truth box
//   through the drawn-face path, not timed), then ageTeamToFiles is timed from the faces to the written GIF: alignment,
//   age/gender estimate, CVAE decodes, composing every frame, quantising and LZW. secondsPerFace = that time / faces.
// memory: a --memory-mp MP composite (default 100) of --memory-faces faces (default 50) aged in a child process of its
//   own; its peak RSS (getrusage maxrss) is the figure. Chromium's vision pages are other processes and not counted.
// Options: --faces N --ages A --memory-mp MP --memory-faces N --no-speed --no-memory --json
// With the 2 cores shared, wall times are noisy: the load averages are printed too, and cpuMs is this process's CPU
// time for the same call (all its threads; Chromium's segmentation of each face runs in its own processes).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, SHARED_DIR, flag, numberOption, option, useSharedModels } from './script-args.js';

useSharedModels();
// The bundled test helper finds the data through this, not through its own location.
process.env.CHRONOFACE_SHARED_DIR ??= SHARED_DIR;
const json = flag('json');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-team-'));

/** tests/helpers/group-photo.ts bundled for this script (it is TypeScript and not part of dist/), beside the
 *  repository's node_modules so that its packages resolve. */
async function groupPhotoHelper() {
  const outfile = path.join(REPO_ROOT, 'node_modules/.cache/chronoface-bench/group-photo.mjs');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'tests/helpers/group-photo.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'error',
  });
  return import(outfile);
}

const lib = async () => {
  const [{ ageTeamToFiles }, { faceFromBox }, { loadPhoto }, { chooseModel, loadAgingModel }, { createChromiumVisionHost }] = await Promise.all([
    import('../dist/node/workflows/age-team.js'),
    import('../dist/node/ml/aging/team-faces.js'),
    import('../dist/node/ml/prep/photo.js'),
    import('../dist/node/ml/aging/model.js'),
    import('../dist/node/ml/vision/chromium-host.js'),
  ]);
  return { ageTeamToFiles, faceFromBox, loadPhoto, chooseModel, loadAgingModel, createChromiumVisionHost };
};

/** Ages every face of `photoFile` (ground-truth `boxes`) into a team GIF; the faces are found first, untimed. */
async function ageOnce(photoFile, boxes, nAges) {
  const l = await lib();
  const dataDir = fs.mkdtempSync(path.join(tmp, 'data-'));
  const [host, model] = await Promise.all([l.createChromiumVisionHost({ pages: 1 }), l.loadAgingModel(l.chooseModel(dataDir))]);
  try {
    const photo = await l.loadPhoto(photoFile);
    const found = [];
    let missed = 0;
    for (const b of boxes) {
      const f = await l.faceFromBox(host, photo, [b[0], b[1], b[2], b[3]]);
      if (!f.found) missed++;
      found.push(f.face);
    }
    const ages = Array.from({ length: nAges }, (_, i) => Math.round(20 + (i * 50) / Math.max(1, nAges - 1)));
    const gif = path.join(tmp, `team-${Date.now()}.gif`);
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const r = await l.ageTeamToFiles({ host, model, photo: photoFile, image: photo, options: { ages, detected: found }, files: { gif }, catalogue: null });
    const ms = performance.now() - t0;
    const cpu = process.cpuUsage(c0);
    const cpuMs = (cpu.user + cpu.system) / 1000;
    return {
      width: r.team.width,
      height: r.team.height,
      faces: r.team.faces.length,
      facesFromBoxAlone: missed,
      ages: ages.length,
      ms: Math.round(ms),
      secondsPerFace: Math.round((ms / r.team.faces.length / 1000) * 1000) / 1000,
      cpuMs: Math.round(cpuMs),
      cpuSecondsPerFace: Math.round((cpuMs / r.team.faces.length / 1000) * 1000) / 1000,
      stagesMs: Object.fromEntries(Object.entries(r.team.timings).map(([k, v]) => [k, Math.round(v)])),
      gifBytes: fs.statSync(gif).size,
    };
  } finally {
    await host.close();
    model.cvae.dispose();
  }
}

if (flag('memory-child')) {
  const photoFile = option('photo');
  const boxes = JSON.parse(fs.readFileSync(option('boxes'), 'utf8'));
  const r = await ageOnce(photoFile, boxes, numberOption('ages', 6));
  process.stdout.write(`${JSON.stringify({ ...r, peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
  process.exit(0);
}

const { makeGroupPhoto } = await groupPhotoHelper();
const nFaces = numberOption('faces', 30);
const nAges = numberOption('ages', 6);
const load0 = os.loadavg();

let speed = null;
if (!flag('no-speed')) {
  const speedPhoto = await makeGroupPhoto({ faces: nFaces, widths: [150, 260], canvas: [4000, 3000], seed: 30 });
  const speedFile = path.join(tmp, 'speed.jpg');
  fs.writeFileSync(speedFile, speedPhoto.jpeg);
  speed = await ageOnce(speedFile, speedPhoto.boxes, nAges);
}

let memory = null;
if (!flag('no-memory')) {
  const mp = numberOption('memory-mp', 100);
  const side = Math.round(Math.sqrt(mp * 1e6));
  const memFaces = numberOption('memory-faces', 50);
  const big = await makeGroupPhoto({ faces: memFaces, widths: [Math.round(side / 25), Math.round(side / 14)], canvas: [side, side], seed: 100, quality: 85 });
  const bigFile = path.join(tmp, 'big.jpg');
  const boxesFile = path.join(tmp, 'big-boxes.json');
  fs.writeFileSync(bigFile, big.jpeg);
  fs.writeFileSync(boxesFile, JSON.stringify(big.boxes));
  const child = spawn(process.execPath, [new URL(import.meta.url).pathname, '--memory-child', '--photo', bigFile, '--boxes', boxesFile, '--ages', String(nAges)], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  const code = await new Promise((resolve) => child.on('exit', resolve));
  if (code !== 0) throw new Error(`the memory run exited with ${code}`);
  memory = { megapixels: Math.round((side * side) / 1e5) / 10, ...JSON.parse(out.trim().split('\n').pop()), limitMB: 2048 };
}

const result = {
  speed: speed && { ...speed, limitSecondsPerFace: 0.6 },
  memory,
  loadavg: { start: load0.map((v) => Math.round(v * 10) / 10), end: os.loadavg().map((v) => Math.round(v * 10) / 10) },
  cpus: os.cpus().length,
};
fs.rmSync(tmp, { recursive: true, force: true });
if (json) console.log(JSON.stringify(result));
else {
  if (speed) console.log(`team GIF: ${speed.faces} faces at ${speed.ages} ages on ${speed.width}x${speed.height}: ${speed.ms} ms, ${speed.secondsPerFace} s per face (limit 0.6)`);
  if (memory) console.log(`memory: ${memory.megapixels} MP, ${memory.faces} faces: peak RSS ${memory.peakRssMB} MB (limit 2048), ${memory.ms} ms`);
  console.log(`load average ${result.loadavg.start.join(' ')} -> ${result.loadavg.end.join(' ')} on ${result.cpus} cores`);
}
