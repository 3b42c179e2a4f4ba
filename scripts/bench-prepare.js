#!/usr/bin/env node
// Throughput of the whole preparation pipeline (photo -> detection -> alignment -> background -> lighting -> crop file
// -> catalogue) on FG-NET's 73 photos, after the browser has started, beside the MediaPipe models' own throughput
// (landmarker + segmenter on the same photos, in the same pages, in the same run: the ceiling preparation can reach).
// Usage: npm run bench:prepare -- [--json] [--workers 1,2] [--repeat R] [--size 128] [--no-background] [--no-lighting]
//   [--photos N] (only the first N photos, by name: a quick check of the script, as tests/bench-scripts.test.ts runs it)
//   [--data-dir DIR] (prepare FG-NET inside that catalogue, e.g. a kept 500,000-crop bench:catalogue one)
// Each worker count gets its own browser with that many pages; the last JSON line has every count under byWorkers
// and the figures of the largest at the top (imagesPerSecond, modelImagesPerSecond, ratio). A serial pass over the
// photos then says where one image's time goes (stagesMsPerImage).
// CPU time of this process and its Chromium children is measured too (cpuMsPerImage, by process): steadier than wall
// time when other work shares the machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { importDataset } from '../dist/node/db/importers/run.js';
import { listImages } from '../dist/node/db/images.js';
import { loadPhoto } from '../dist/node/ml/prep/photo.js';
import { runPrepare } from '../dist/node/ml/prep/pipeline.js';
import { createChromiumVisionHost } from '../dist/node/ml/vision/chromium-host.js';
import { detectFaces } from '../dist/node/ml/prep/detect.js';
import { faceSegmentRequest, prepareFace } from '../dist/node/ml/prep/prepare-face.js';
import { writeFileAtomic } from '../dist/node/ml/io/write-file-atomic.js';
import { normalizePrepSettings } from '../dist/node/ml/prep/settings.js';
import { SHARED_DIR, flag, numberOption, option, useSharedModels } from './script-args.js';
import { treeCpuMs } from './process-cpu.js';

useSharedModels();
const fgnet = path.join(SHARED_DIR, 'datasets/fgnet');
const workerCounts = (option('workers', `1,${os.cpus().length}`)).split(',').map(Number);
if (workerCounts.some((w) => !Number.isInteger(w) || w < 1)) {
  console.error('--workers takes page counts such as 1,2');
  process.exit(2);
}
const repeat = numberOption('repeat', 3);
const photoLimit = numberOption('photos', Infinity);
const size = numberOption('size', 128);
const settings = { size, background: { enabled: !flag('no-background') }, lighting: { enabled: !flag('no-lighting') } };

// --data-dir prepares FG-NET inside an existing catalogue (a kept bench:catalogue one, say): preparation at scale.
const given = option('data-dir');
const dataDir = given ? path.resolve(given) : fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-prepare-'));
const db = openCatalogue(dataDir);
const log = (m) => { if (!flag('json')) console.error(m); };
const round1 = (v) => Number(v.toFixed(1));

/** The models alone, every page at once: images per second over the slowest page. */
async function modelThroughput(host, photos) {
  const inputs = photos.map((p) => p.direct ?? p);
  const cpu0 = treeCpuMs(process.pid);
  const res = await host.timeModels(inputs, repeat);
  const cpu1 = treeCpuMs(process.pid);
  const images = res.reduce((a, r) => a + r.images, 0);
  return { imagesPerSecond: images / (Math.max(...res.map((r) => r.ms)) / 1000), cpuMsPerImageByProcess: perImage(cpu0, cpu1, images) };
}

/** CPU ms per image by process kind (node, browser, renderer, gpu-process, utility, zygote) between two readings;
 *  processes that ended in between are lost. */
function perImage(cpu0, cpu1, images) {
  return Object.fromEntries(
    Object.entries(cpu1.byKind).map(([k, v]) => [k, round1((v - (cpu0.byKind[k] ?? 0)) / images)]).filter(([, v]) => v > 0),
  );
}

async function measure(workers, photos) {
  const host = await createChromiumVisionHost({ pages: workers });
  try {
    // Warm-up (first calls compile shaders and allocate).
    await runPrepare({ dataDir, db, host, settings, workers: workers * 2, imageIds: fgnetImageIds.slice(0, 4), redo: true });
    await host.timeModels(photos.slice(0, 4).map((p) => p.direct ?? p), 1);
    const modelsBefore = await modelThroughput(host, photos);
    let images = 0;
    let failed = 0;
    const cpu0 = treeCpuMs(process.pid);
    const t = performance.now();
    for (let r = 0; r < repeat; r++) {
      const s = await runPrepare({ dataDir, db, host, settings, workers: workers * 2, ...(photoLimit < Infinity ? { imageIds: fgnetImageIds } : { datasetId: fgnetDataset }), redo: true });
      images += s.total;
      failed += s.failed;
    }
    const seconds = (performance.now() - t) / 1000;
    const cpu1 = treeCpuMs(process.pid);
    const modelsAfter = await modelThroughput(host, photos);
    const imagesPerSecond = images / seconds;
    const modelImagesPerSecond = (modelsBefore.imagesPerSecond + modelsAfter.imagesPerSecond) / 2;
    const cpuMsPerImage = (cpu1.total - cpu0.total) / images;
    const cpuMsPerImageByProcess = perImage(cpu0, cpu1, images);
    const out = {
      workers,
      imagesPerSecond: round1(imagesPerSecond),
      modelImagesPerSecond: round1(modelImagesPerSecond),
      modelImagesPerSecondBeforeAndAfter: [round1(modelsBefore.imagesPerSecond), round1(modelsAfter.imagesPerSecond)],
      ratio: Number((imagesPerSecond / modelImagesPerSecond).toFixed(2)),
      images,
      failed,
      seconds: Number(seconds.toFixed(2)),
      cpuMsPerImage: round1(cpuMsPerImage),
      cpuMsPerImageByProcess,
      modelCpuMsPerImageByProcess: modelsAfter.cpuMsPerImageByProcess,
    };
    log(`${workers} pages: ${out.imagesPerSecond} images/s, models alone ${out.modelImagesPerSecond} images/s (ratio ${out.ratio}); ${out.cpuMsPerImage} ms CPU per image ${JSON.stringify(cpuMsPerImageByProcess)}, models alone ${JSON.stringify(out.modelCpuMsPerImageByProcess)}`);
    return { out, host };
  } catch (err) {
    await host.close();
    throw err;
  }
}

/** One image at a time on one page, each stage timed: where a photo's time goes when nothing overlaps. */
async function stages(host, files) {
  const sum = {};
  const add = (k, ms) => (sum[k] = (sum[k] ?? 0) + ms);
  const full = normalizePrepSettings(settings);
  const seg = full.background.enabled ? { segmentFace: faceSegmentRequest(full) } : {};
  let n = 0;
  for (const file of files) {
    let t = performance.now();
    const photo = await loadPhoto(file);
    add('decodePhoto', performance.now() - t);
    t = performance.now();
    let pageMs = 0;
    const timed = {
      ...host,
      detect: async (img, o) => {
        const r = await host.detect(img, o);
        pageMs = r.ms;
        for (const [k, v] of Object.entries(r.stages ?? {})) add(`page.${k}`, v);
        return r;
      },
    };
    const faces = await detectFaces(timed, photo, seg);
    const round = performance.now() - t;
    add('pageWork', pageMs);
    add('pageTransport', round - pageMs);
    if (!faces.length) continue;
    t = performance.now();
    const prepared = await prepareFace(host, photo, faces[0], full, { faceCount: faces.length });
    add('alignCleanScoreEncode', performance.now() - t);
    t = performance.now();
    await writeFileAtomic(path.join(dataDir, 'stage-test.png'), prepared.png);
    add('writeCrop', performance.now() - t);
    n++;
  }
  return Object.fromEntries(Object.entries(sum).map(([k, v]) => [k, round1(v / n)]));
}

let fgnetDataset = 0;
let fgnetImageIds = [];
try {
  fgnetDataset = (await importDataset(db, { path: fgnet, format: 'fgnet' })).dataset;
  const listed = listImages(db, { datasetId: fgnetDataset });
  const chosen = photoLimit < Infinity ? listed.sort((a, b) => a.relPath.localeCompare(b.relPath)).slice(0, photoLimit) : listed;
  fgnetImageIds = chosen.map((im) => im.id);
  const files = photoLimit < Infinity ? chosen.map((im) => im.sourcePath) : fs.readdirSync(path.join(fgnet, 'images')).map((f) => path.join(fgnet, 'images', f));
  const photos = await Promise.all(files.map((f) => loadPhoto(f)));
  const byWorkers = [];
  let last = null;
  for (const w of workerCounts) {
    if (last) await last.close();
    const { out, host } = await measure(w, photos);
    byWorkers.push(out);
    last = host;
  }
  const stagesMsPerImage = await stages(last, files);
  await last.close();
  log(`serial, ms per image: ${JSON.stringify(stagesMsPerImage)}`);
  const top = byWorkers[byWorkers.length - 1];
  const result = {
    imagesPerSecond: top.imagesPerSecond,
    modelImagesPerSecond: top.modelImagesPerSecond,
    ratio: top.ratio,
    ratioGoal: 0.8,
    workers: top.workers,
    byWorkers,
    stagesMsPerImage,
    size,
    background: settings.background.enabled,
    lighting: settings.lighting.enabled,
    repeat,
    catalogueCrops: db.prepare('SELECT count(*) FROM crops').pluck().get(),
    cores: os.cpus().length,
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  };
  console.log(flag('json') ? JSON.stringify(result) : result);
} finally {
  db.close();
  if (!given) fs.rmSync(dataDir, { recursive: true, force: true });
}
