#!/usr/bin/env node
// Imports UTKFace into fresh temporary data directories and reports the import speed (best of --runs, default 5).
// Usage: npm run bench:import -- [--json] [--runs N] [--dir PATH]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { importDataset } from '../dist/node/db/importers/run.js';
import { SHARED_DIR, flag, numberOption, option } from './script-args.js';

const json = flag('json');
const dir = path.resolve(option('dir', path.join(SHARED_DIR, 'datasets/utkface')));
const runs = Math.max(1, numberOption('runs', 5));

const timings = [];
let images = 0;
for (let r = 0; r < runs; r++) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-import-'));
  try {
    const start = process.hrtime.bigint();
    const db = openCatalogue(dataDir);
    const result = await importDataset(db, { path: dir });
    db.close();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (result.failed > 0) throw new Error(`${result.failed} files failed: ${JSON.stringify(result.errors.slice(0, 3))}`);
    images = result.imported;
    timings.push(seconds);
  } finally {
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}
const best = Math.min(...timings);
const report = {
  imagesPerSecond: Math.round(images / best),
  images,
  seconds: Number(best.toFixed(3)),
  runs: timings.map((t) => Number(t.toFixed(3))),
  cpus: os.cpus().length,
};
if (json) console.log(JSON.stringify(report));
else console.log(`imported ${images} images in ${report.seconds} s (best of ${runs}): ${report.imagesPerSecond} images/s`);
