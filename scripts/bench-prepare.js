#!/usr/bin/env node
// Throughput of the whole preparation pipeline (photo -> detection -> alignment -> background -> lighting -> crop file
// -> catalogue) on FG-NET's 73 photos, after the browser has started.
// Usage: npm run bench:prepare -- [--json] [--workers N] [--repeat R] [--size 128] [--no-background] [--no-lighting]
// CPU time of this process and its Chromium children is measured too: cpuMsPerImage and the throughput it allows on
// this machine's cores (projectedImagesPerSecond) are steadier than wall time when other work shares the machine.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { importDataset } from '../dist/node/db/importers/run.js';
import { loadPhoto } from '../dist/node/ml/prep/photo.js';
import { runPrepare } from '../dist/node/ml/prep/pipeline.js';
import { createPlaywrightVisionHost } from '../dist/node/ml/vision/playwright-host.js';
import { SHARED_DIR, flag, numberOption, useSharedModels } from './script-args.js';

useSharedModels();
const fgnet = path.join(SHARED_DIR, 'datasets/fgnet');
const workers = numberOption('workers', os.cpus().length);
const repeat = numberOption('repeat', 3);
const size = numberOption('size', 128);
const settings = { size, background: { enabled: !flag('no-background') }, lighting: { enabled: !flag('no-lighting') } };

const TICK = 100; // USER_HZ on Linux
function treeCpuMs(rootPid) {
  if (process.platform !== 'linux') return { total: NaN, byKind: {} };
  const stats = [];
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const s = fs.readFileSync(`/proc/${d}/stat`, 'utf8');
      const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
      let kind = 'node';
      if (Number(d) !== rootPid) {
        const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
        kind = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? 'browser';
      }
      stats.push({ pid: Number(d), ppid: Number(rest[1]), kind, cpu: (Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14])) * (1000 / TICK) });
    } catch {
      /* gone */
    }
  }
  const inTree = new Set([rootPid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const p of stats) if (!inTree.has(p.pid) && inTree.has(p.ppid)) (inTree.add(p.pid), (grew = true));
  }
  const byKind = {};
  let total = 0;
  for (const p of stats) {
    if (!inTree.has(p.pid)) continue;
    byKind[p.kind] = (byKind[p.kind] ?? 0) + p.cpu;
    total += p.cpu;
  }
  return { total, byKind };
}

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-prepare-'));
const db = openCatalogue(dataDir);
let host;
try {
  await importDataset(db, { path: fgnet, format: 'fgnet' });
  const files = fs.readdirSync(path.join(fgnet, 'images')).map((f) => path.join(fgnet, 'images', f));

  // Decode only: the photos through loadPhoto (EXIF orientation, sRGB, raw pixels), same concurrency.
  let t = performance.now();
  let k = 0;
  await Promise.all(Array.from({ length: workers * 2 }, async () => {
    while (k < files.length) await loadPhoto(files[k++]);
  }));
  const decodeOnly = files.length / ((performance.now() - t) / 1000);

  host = await createPlaywrightVisionHost({ pages: workers });
  // Warm-up (first calls compile shaders and allocate).
  await runPrepare({ dataDir, db, host, settings, workers: workers * 2, imageIds: [1, 2, 3, 4], redo: true });

  let images = 0;
  let failed = 0;
  const cpu0 = treeCpuMs(process.pid);
  t = performance.now();
  for (let r = 0; r < repeat; r++) {
    const s = await runPrepare({ dataDir, db, host, settings, workers: workers * 2, redo: true });
    images += s.total;
    failed += s.failed;
  }
  const seconds = (performance.now() - t) / 1000;
  const cpu1 = treeCpuMs(process.pid);
  const cpuMs = cpu1.total - cpu0.total;
  // Per process kind (node, browser, renderer, gpu-process, utility, zygote); processes that ended in between are lost.
  const cpuMsPerImageByProcess = Object.fromEntries(
    Object.entries(cpu1.byKind).map(([k, v]) => [k, Number(((v - (cpu0.byKind[k] ?? 0)) / images).toFixed(1))]).filter(([, v]) => v > 0),
  );
  const cores = os.cpus().length;
  const cpuMsPerImage = cpuMs / images;
  const load = os.loadavg()[0];
  const result = {
    imagesPerSecond: Number((images / seconds).toFixed(1)),
    decodeOnlyImagesPerSecond: Number(decodeOnly.toFixed(1)),
    workers,
    images,
    failed,
    size,
    background: settings.background.enabled,
    lighting: settings.lighting.enabled,
    seconds: Number(seconds.toFixed(2)),
    cpuMsPerImage: Number(cpuMsPerImage.toFixed(1)),
    cpuMsPerImageByProcess,
    projectedImagesPerSecond: Number(((cores * 1000) / cpuMsPerImage).toFixed(1)),
    cores,
    loadAverage1m: Number(load.toFixed(2)),
  };
  if (flag('json')) console.log(JSON.stringify(result));
  else {
    console.log(`${result.imagesPerSecond} images/s (${images} preparations of FG-NET photos, ${workers} pages, ${size} px crops; ${failed} failed)`);
    console.log(`decode only: ${result.decodeOnlyImagesPerSecond} images/s`);
    console.log(`CPU: ${result.cpuMsPerImage} ms per image (all processes) -> ${result.projectedImagesPerSecond} images/s on ${cores} idle cores; load average ${result.loadAverage1m}`);
  }
} finally {
  await host?.close();
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
