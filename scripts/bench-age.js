#!/usr/bin/env node
// Time from an FG-NET photo to the aging GIF (detection, alignment, source age/gender estimation, encode, decode at
// every target age, paste-back at the photo's resolution, GIF), with the vision host warm. Also the cold start
// (Chromium vision host + model + estimator load, and the first photo).
// Options: --photo FILE (default ../shared FG-NET 006A40.JPG) --ages N (default 10) --model ID|DIR --data-dir DIR
// --runs R (default 3; the median is reported) --json
// Without a model (none in the data dir, no shipped default), a freshly initialised 128 px CVAE is timed: the cost
// does not depend on the weights; the output says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { agePhoto } from '../dist/node/ml/aging/age-photo.js';
import { chooseModel, loadAgingModel } from '../dist/node/ml/aging/model.js';
import { writeGif } from '../dist/node/ml/aging/writers.js';
import { createPlaywrightVisionHost } from '../dist/node/ml/vision/playwright-host.js';
import { initBackend } from '../dist/node/ml/tf/backend.js';
import { createCvae } from '../dist/node/ml/cvae/model.js';
import { makeCvaeConfig } from '../dist/node/ml/cvae/config.js';
import { saveCvae } from '../dist/node/ml/cvae/io.js';

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] !== undefined && !args[i + 1].startsWith('--') ? args[i + 1] : def;
};
const json = args.includes('--json');
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(process.env.CHRONOFACE_SHARED_DIR ?? path.join(root, '../shared'));
process.env.CHRONOFACE_MODELS_DIR ??= path.join(shared, 'models');
const photo = path.resolve(opt('photo', path.join(shared, 'datasets/fgnet/images/006A40.JPG')));
const nAges = Number(opt('ages', '10'));
const runs = Number(opt('runs', '3'));
const dataDir = path.resolve(opt('data-dir', fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-age-'))));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-age-out-'));

const t0 = performance.now();
let choice;
let untrained = false;
try {
  choice = chooseModel(dataDir, opt('model', undefined));
} catch {
  await initBackend();
  const m = createCvae(makeCvaeConfig({ imageSize: 128 }), 1);
  m.sidecar = { ...m.sidecar, prep: { size: 128 }, ageRange: { min: 1, max: 90 } };
  const dir = path.join(tmp, 'untrained-128');
  await saveCvae(m, dir);
  m.dispose();
  choice = { dir, id: null, name: 'untrained-128 (timing only)', source: 'option' };
  untrained = true;
}
const model = await loadAgingModel(choice);
const host = await createPlaywrightVisionHost({ pages: 1, dataDir });
const { min, max } = model.ageRange;
const lo = Math.max(min, 10);
const hi = Math.min(max, 80);
const ages = Array.from({ length: nAges }, (_, i) => Math.round(lo + ((hi - lo) * i) / Math.max(1, nAges - 1)));

async function once(k) {
  const t = performance.now();
  const aged = await agePhoto(host, model, photo, { ages });
  await writeGif(path.join(tmp, `run-${k}.gif`), aged.faces[0].frames, { fps: 4 });
  return { ms: performance.now() - t, timings: aged.faces[0] ? aged.timings : null, size: [aged.width, aged.height] };
}

const first = await once(0);
const coldStartMs = performance.now() - t0;
const times = [];
let last = first;
for (let k = 1; k <= runs; k++) {
  last = await once(k);
  times.push(last.ms);
}
times.sort((a, b) => a - b);
const msToGif = times[Math.floor(times.length / 2)];
await host.close();
model.cvae.dispose();
const result = {
  msToGif: Math.round(msToGif),
  coldStartMs: Math.round(coldStartMs),
  ages: ages.length,
  targetAges: ages,
  photo: path.basename(photo),
  photoSize: last.size,
  model: model.choice.name,
  modelSize: model.size,
  untrainedModel: untrained,
  backend: model.backend.backend,
  runs: times.map((t) => Math.round(t)),
  lastRunTimings: Object.fromEntries(Object.entries(last.timings ?? {}).map(([k, v]) => [k, Math.round(v)])),
  loadAverage: os.loadavg()[0],
};
if (json) console.log(JSON.stringify(result));
else console.log(`${result.msToGif} ms from photo to GIF for ${result.ages} ages (${result.photo}, model ${result.model}); cold start ${result.coldStartMs} ms; load ${result.loadAverage.toFixed(1)}`);
fs.rmSync(tmp, { recursive: true, force: true });
