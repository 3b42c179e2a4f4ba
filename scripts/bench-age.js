#!/usr/bin/env node
// Time from an FG-NET photo to the aging GIF (detection, alignment, source age/gender estimation, encode, decode at
// every target age, paste-back at the photo's resolution, GIF), with the vision host warm. Also the cold start
// (Chromium vision host + model + estimator load, and the first photo).
// coldStartMs runs from the start to the end of the first photo: coldStages splits it (model load, Chromium vision
// host start, age/gender net load, first photo).
// Options: --photo FILE (default ../shared FG-NET 006A40.JPG) --ages N (default 10) --model ID|DIR --data-dir DIR
// --runs R (default 5; the median is reported) --json
// Without a model (none in the data dir, no shipped default), a freshly initialised 128 px CVAE is timed: the cost
// does not depend on the weights; the output says so.
// "stages" breaks the time down (median over the runs of a pass that calls the same steps one by one): photo decode,
// detection in the vision page, alignment (prepareFace), source age/gender estimate, the hair's plan (0 unless the model
// greys hair), CVAE encode + decodes, paste-back
// at the photo's resolution and GIF encode (frame by frame, alternating: composeAndGifEncode, split by wall time into
// pasteBack and gifEncode), file write (with the last frame's quantising: GifStream quantises a small frame while the
// next frame's palette is chosen); stagesCpuMs is this process's CPU time in each (all its threads; detection runs
// in the Chromium page, so its CPU is not there). cpuMs is the
// process's CPU time per run. With the 2 cores shared, wall times are noisy: the load averages are printed too.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { agePhotoToFiles } from '../dist/node/workflows/age.js';
import { ageAlignedFace, withHair } from '../dist/node/ml/aging/age-face.js';
import { composeFaces, composeInput, streamFrames } from '../dist/node/ml/aging/team-compose.js';
import { GifStream } from '../dist/node/ml/aging/gif-stream.js';
import { applyAffine } from '../dist/node/ml/prep/geometry.js';
import { DEFAULT_FPS } from '../dist/node/workflows/age-files.js';
import { estimateAgeGender } from '../dist/node/ml/estimators/index.js';
import { detectFaces } from '../dist/node/ml/prep/detect.js';
import { loadPhoto } from '../dist/node/ml/prep/photo.js';
import { prepareFace } from '../dist/node/ml/prep/prepare-face.js';
import { chooseModel, loadAgingModel } from '../dist/node/ml/aging/model.js';
import { createChromiumVisionHost } from '../dist/node/ml/vision/chromium-host.js';
import { initBackend } from '../dist/node/ml/tf/backend.js';
import { createCvae } from '../dist/node/ml/cvae/model.js';
import { makeCvaeConfig } from '../dist/node/ml/cvae/config.js';
import { saveCvae } from '../dist/node/ml/cvae/io.js';
import { SHARED_DIR, flag, numberOption, option, useSharedModels } from './script-args.js';

const json = flag('json');
useSharedModels();
const photo = path.resolve(option('photo', path.join(SHARED_DIR, 'datasets/fgnet/images/006A40.JPG')));
const nAges = numberOption('ages', 10);
const runs = numberOption('runs', 5);
const givenDataDir = option('data-dir');
const dataDir = path.resolve(givenDataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-age-')));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-age-out-'));

const t0 = performance.now();
let choice;
let untrained = false;
try {
  choice = chooseModel(dataDir, option('model'));
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
const tModel = performance.now();
const model = await loadAgingModel(choice);
const tHost = performance.now();
const host = await createChromiumVisionHost({ pages: 1, dataDir });
const tEstimator = performance.now();
// Loads the age/gender net (once per process) on a blank crop, so that its load shows apart from the first photo.
await estimateAgeGender([{ data: new Uint8Array(model.size * model.size * 3).fill(128), width: model.size, height: model.size, channels: 3 }]);
const tFirst = performance.now();
const { min, max } = model.ageRange;
const lo = Math.max(min, 10);
const hi = Math.min(max, 80);
const ages = Array.from({ length: nAges }, (_, i) => Math.round(lo + ((hi - lo) * i) / Math.max(1, nAges - 1)));

async function once(k) {
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { aged } = await agePhotoToFiles({ host, model, photo, options: { ages }, fps: 4, files: () => ({ gif: path.join(tmp, `run-${k}.gif`), strip: null }), catalogue: null });
  const used = process.cpuUsage(cpu);
  return { ms: performance.now() - t, cpuMs: (used.user + used.system) / 1000, timings: aged.faces[0] ? aged.timings : null, size: [aged.width, aged.height] };
}

/** The steps of agePhotoToFiles called one at a time (the largest face, as agePhoto picks by default). */
async function stagesOnce(k) {
  const s = {};
  const cpu = {};
  let t = performance.now();
  let c = process.cpuUsage();
  const lap = (name) => {
    const now = performance.now();
    const used = process.cpuUsage(c);
    s[name] = now - t;
    cpu[name] = (used.user + used.system) / 1000;
    t = now;
    c = process.cpuUsage();
  };
  const p = await loadPhoto(photo);
  lap('decodePhoto');
  const faces = await detectFaces(host, p);
  lap('detect');
  const face = faces.reduce((a, b) => (b.box[2] * b.box[3] > a.box[2] * a.box[3] ? b : a));
  const prepared = await prepareFace(host, p, face, model.prep, { faceCount: faces.length });
  lap('align');
  const [est] = await estimateAgeGender([{ data: prepared.crop, width: prepared.size, height: prepared.size, channels: 3 }]);
  lap('estimateAgeGender');
  const landmarks = face.landmarks.map((q) => applyAffine(prepared.transform, q));
  // The hair's plan (hair-grey.ts), when the model greys hair: none else.
  const aligned = await withHair(model, {}, p, { crop: prepared.crop, size: prepared.size, transform: prepared.transform, faceMask: prepared.faceMask, landmarks }, () => prepared.personContext);
  lap('hairPlan');
  const aged = await ageAlignedFace(model, aligned, { ages, sourceAge: Math.round(est.age), gender: est.gender });
  lap('cvaeEncodeDecode');
  // Composing a frame and encoding it alternate (each frame streams to the GIF): one lap for both, split by wall time.
  let gif = null;
  const { composeMs, writeMs } = await streamFrames(p, composeFaces([composeInput(model, aligned, aged, {})], p.width, p.height), ages.length, {
    start: ({ width, height, changing }) => void (gif = new GifStream(width, height, changing, { fps: DEFAULT_FPS })),
    frame: (_k, frame) => gif.add(frame),
  });
  lap('composeAndGifEncode');
  s.pasteBack = composeMs;
  s.gifEncode = writeMs;
  await gif.write(path.join(tmp, `stages-${k}.gif`));
  lap('fileWrite');
  return { s, cpu };
}

const first = await once(0);
const coldStartMs = performance.now() - t0;
const coldStages = {
  modelLoad: tHost - tModel,
  visionHostStart: tEstimator - tHost,
  estimatorLoad: tFirst - tEstimator,
  firstPhoto: performance.now() - tFirst,
};
const times = [];
const cpuTimes = [];
const loadBefore = os.loadavg()[0];
const stageRuns = [];
let last = first;
// Interleaved, so that both see the same load.
for (let k = 1; k <= runs; k++) {
  last = await once(k);
  times.push(last.ms);
  cpuTimes.push(last.cpuMs);
  stageRuns.push(await stagesOnce(k));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const medianOf = (key) => Object.fromEntries(Object.keys(stageRuns[0][key]).map((name) => [name, Math.round(median(stageRuns.map((r) => r[key][name])))]));
const stages = medianOf('s');
const stagesCpuMs = medianOf('cpu');
const sortedTimes = [...times].sort((a, b) => a - b);
const msToGif = sortedTimes[Math.floor(sortedTimes.length / 2)];
await host.close();
model.cvae.dispose();
const result = {
  msToGif: Math.round(msToGif),
  coldStartMs: Math.round(coldStartMs),
  coldStages: Object.fromEntries(Object.entries(coldStages).map(([k, v]) => [k, Math.round(v)])),
  ages: ages.length,
  targetAges: ages,
  photo: path.basename(photo),
  photoSize: last.size,
  model: model.choice.name,
  modelSize: model.size,
  untrainedModel: untrained,
  backend: model.backend.backend,
  runs: times.map((t) => Math.round(t)),
  cpuMs: Math.round(median(cpuTimes)),
  stages,
  stagesTotalMs: Object.entries(stages).reduce((a, [name, ms]) => (name === 'pasteBack' || name === 'gifEncode' ? a : a + ms), 0),
  stagesCpuMs,
  pasteBackPerFrameMs: Number((stages.pasteBack / ages.length).toFixed(1)),
  lastRunTimings: Object.fromEntries(Object.entries(last.timings ?? {}).map(([k, v]) => [k, Math.round(v)])),
  loadAverage: [loadBefore, os.loadavg()[0]].map((v) => Number(v.toFixed(2))),
};
if (json) console.log(JSON.stringify(result));
else console.log(`${result.msToGif} ms from photo to GIF for ${result.ages} ages (${result.photo}, model ${result.model}); cold start ${result.coldStartMs} ms; stages ${JSON.stringify(result.stages)}; load ${result.loadAverage.join(' -> ')}`);
fs.rmSync(tmp, { recursive: true, force: true });
if (!givenDataDir) fs.rmSync(dataDir, { recursive: true, force: true });
