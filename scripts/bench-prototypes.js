#!/usr/bin/env node
// Prototype-fitting memory benchmark: a synthetic catalogue of --crops crops (default 500,000; bench:catalogue's
// generator, each crop given a detected face with a 478-point mesh: the shipped model's prototype shape at the crop's
// age and gender plus a seeded jitter, and one of 64 real UTKFace crops as its pixels), then `chronoface prototypes`'s
// own fit (buildModelPrototypes, textures included unless --no-textures) in a child process whose peak RSS is read.
// Usage: npm run bench:prototypes -- [--json] [--crops 500000] [--no-textures] [--workers N] [--data-dir DIR]
// fitCpuSeconds is the fit's CPU time over all its threads; loadAverage is the machine's at the end (1, 5, 15 min).
// BENCH_KEEP=1 keeps the data directory; --data-dir fits a kept one again. Needs the built code (npm run build:node).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { mulberry32 } from '../dist/node/ml/cvae/rng.js';
import { defaultModelDir } from '../dist/node/ml/aging/model.js';
import { shapeAt } from '../dist/node/ml/shape/prototypes.js';
import { readPrototypes } from '../dist/node/ml/shape/prototypes-io.js';
import { buildCatalogue } from './bench-catalogue-data.js';
import { flag, numberOption, option, SHARED_DIR } from './script-args.js';

const GOAL_PEAK_RSS_MB = 1024;
const CROP_FILES = 64;
const SIZE = 128;
const json = flag('json');
const log = (m) => { if (!json) console.error(m); };

if (process.argv[2] === '--fit') {
  // The child: the fit alone, so that its peak RSS is the fit's.
  const [, , , dataDir, textures, workers] = process.argv;
  const { buildModelPrototypes } = await import('../dist/node/ml/shape/catalogue-prototypes.js');
  const db = openCatalogue(dataDir);
  const model = fs.mkdtempSync(path.join(dataDir, 'model-'));
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  let shown = 0;
  const onProgress = (done, total) => {
    if (done - shown >= 20_000 || done === total) shown = done, console.error(`  textures ${done}/${total} crops, ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  };
  const r = await buildModelPrototypes(db, dataDir, model, { size: SIZE, includePending: true, textures: textures === '1', workers: Number(workers), onProgress });
  const fitSeconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const fitted = readPrototypes(model);
  db.close();
  console.log(JSON.stringify({ ...r, fitSeconds: +fitSeconds.toFixed(1), fitCpuSeconds: +((cpu.user + cpu.system) / 1e6).toFixed(1), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), knots: fitted?.knots.length ?? 0, textures: fitted?.textures !== null }));
  process.exit(0);
}

const crops = numberOption('crops', 500_000);
const textures = !flag('no-textures');
const workers = numberOption('workers', os.availableParallelism());
const reuse = option('data-dir');
const dataDir = reuse ? path.resolve(reuse) : fs.mkdtempSync(path.join(os.tmpdir(), 'chronoface-bench-prototypes-'));

/** Gives every crop a detected face with a mesh, identity crop transform and one of CROP_FILES real crops as its file. */
async function addFaces(db) {
  const utk = path.join(SHARED_DIR, 'datasets/utkface');
  const names = fs.readdirSync(utk).filter((f) => f.endsWith('.jpg')).sort().slice(0, CROP_FILES);
  fs.mkdirSync(path.join(dataDir, 'crops/bench'), { recursive: true });
  for (const [i, f] of names.entries()) await sharp(path.join(utk, f)).resize(SIZE, SIZE).png().toFile(path.join(dataDir, `crops/bench/${i}.png`));
  const shipped = readPrototypes(defaultModelDir());
  const rnd = mulberry32(31);
  const rows = db.prepare('SELECT c.id, c.image_id, i.age, i.gender FROM crops c JOIN images i ON i.id = c.image_id WHERE c.id > ? ORDER BY c.id LIMIT 5000');
  const face = db.prepare(`INSERT INTO faces (image_id, idx, score, landmarks_json, is_primary, source) VALUES (?, 0, 0.9, ?, 1, 'detected')`);
  const crop = db.prepare(`UPDATE crops SET face_id = ?, transform_json = '[1,0,0,0,1,0]', file = ? WHERE id = ?`);
  let done = 0;
  for (let after = 0; ; ) {
    const page = rows.all(after);
    if (page.length === 0) break;
    db.transaction(() => {
      for (const r of page) {
        const shape = shapeAt(shipped, r.gender === 'female' ? 'female' : 'male', r.age ?? 30);
        const k = SIZE / shipped.size;
        const pts = [];
        for (let i = 0; i + 1 < shape.length; i += 2) pts.push(`[${(shape[i] * k + 3 * (rnd() - 0.5)).toFixed(1)},${(shape[i + 1] * k + 3 * (rnd() - 0.5)).toFixed(1)}]`);
        for (let i = 0; i < 10; i++) pts.push(pts[i]); // 478 points, as MediaPipe gives
        const faceId = face.run(r.image_id, `[${pts.join(',')}]`).lastInsertRowid;
        crop.run(faceId, `crops/bench/${r.id % CROP_FILES}.png`, r.id);
      }
    })();
    after = page[page.length - 1].id;
    done += page.length;
    if (done % 50_000 < 5000) log(`  faces ${done}`);
  }
}

try {
  let buildSeconds = 0;
  if (!reuse) {
    const t0 = performance.now();
    const db = openCatalogue(dataDir);
    // bench:catalogue's generator: 3 % of its images have no face, so ask for a few more images than crops.
    buildCatalogue(db, { total: Math.ceil(crops / 0.97), onProgress: (d, t) => (d % 100_000 < 5000 ? log(`  images ${d}/${t}`) : undefined) });
    await addFaces(db);
    db.close();
    buildSeconds = (performance.now() - t0) / 1000;
  }
  const db = openCatalogue(dataDir);
  const inCatalogue = db.prepare('SELECT COUNT(*) FROM crops WHERE face_id IS NOT NULL').pluck().get();
  db.close();
  log(`fitting ${inCatalogue} crops' prototypes${textures ? ' with textures' : ''}...`);
  const child = spawnSync(process.execPath, [process.argv[1], '--fit', dataDir, textures ? '1' : '0', String(workers)], { encoding: 'utf8', maxBuffer: 1 << 24, stdio: ['ignore', 'pipe', 'inherit'] });
  if (child.status !== 0) throw new Error(`the fit failed (exit ${child.status}); its messages are above`);
  const fit = JSON.parse(child.stdout.trim().split('\n').pop());
  const result = {
    crops: inCatalogue,
    fitted: fit.crops,
    textures,
    size: SIZE,
    peakRssMb: fit.peakRssMb,
    fitSeconds: fit.fitSeconds,
    fitCpuSeconds: fit.fitCpuSeconds,
    workers,
    buildSeconds: +buildSeconds.toFixed(1),
    source: fit.source,
    goals: { peakRssMb: GOAL_PEAK_RSS_MB },
    pass: fit.source === 'catalogue' && fit.peakRssMb <= GOAL_PEAK_RSS_MB,
    cpus: os.cpus().length,
    loadAverage: os.loadavg().map((v) => +v.toFixed(2)),
  };
  if (json) console.log(JSON.stringify(result));
  else console.log(`${result.fitted} of ${result.crops} crops fitted in ${result.fitSeconds} s, peak RSS ${result.peakRssMb} MB (goal <= ${GOAL_PEAK_RSS_MB} MB): ${result.pass ? 'pass' : 'FAIL'}`);
  process.exitCode = result.pass ? 0 : 1;
} finally {
  if (!process.env.BENCH_KEEP && !reuse) fs.rmSync(dataDir, { recursive: true, force: true });
}
