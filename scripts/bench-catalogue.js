#!/usr/bin/env node
// Catalogue scale benchmark: a synthetic catalogue of --images images and their crops (default 500,000), then the
// time of every query the Review screen makes, of the stats, of preparation's duplicate search (duplicateSearch: loading
// every crop's perceptual hash, the longest pause that load gives the event loop, then one new crop's search), and of
// a real import into the full catalogue.
// Usage: npm run bench:catalogue -- [--json] [--images 500000] [--samples 30] [--import-files 2000] [--data-dir DIR]
// BENCH_KEEP=1 keeps the data directory; --data-dir times the queries of a kept one again (after migrating it), without
// building or importing. Needs the built db/ (npm run build:node).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { CATALOGUE_FILE, openCatalogue } from '../dist/node/db/catalogue.js';
import { listNoFaceImages } from '../dist/node/db/faces.js';
import { importDataset } from '../dist/node/db/importers/run.js';
import { getCropDetail } from '../dist/node/db/crop-detail.js';
import { listReview } from '../dist/node/db/review.js';
import { catalogueStats, countCatalogue } from '../dist/node/db/stats.js';
import { DECADE_BINS as AGE_BIN_NAMES } from '../dist/node/domain/age-bins.js';
import { CROP_FLAGS, CROP_STATUSES, GENDERS } from '../dist/node/contract/types.js';
import { mulberry32 } from '../dist/node/ml/cvae/rng.js';
import { DuplicateIndex } from '../dist/node/ml/prep/pipeline.js';
import { buildCatalogue, inBenchDataDir } from './bench-catalogue-data.js';
import { flag, numberOption } from './script-args.js';

const json = flag('json');
const total = numberOption('images', 500_000);
const samples = Math.max(3, numberOption('samples', 30));
const importFiles = numberOption('import-files', 2000);
const log = (m) => { if (!json) console.error(m); };
const GOALS = { queryP95Ms: 50, statsMs: 200, importImagesPerSecond: 2000 };
const PAGE = 200;

const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};

/** Wall time, and the process's CPU time (not inflated by other processes on this shared machine), per call. */
function time(fn, n = samples) {
  fn();
  const ms = [];
  const cpu = [];
  for (let i = 0; i < n; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    fn();
    ms.push(Number(process.hrtime.bigint() - t0) / 1e6);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  const r = (v) => +v.toFixed(2);
  return { p50: r(percentile(ms, 50)), p95: r(percentile(ms, 95)), cpuP50: r(percentile(cpu, 50)), cpuP95: r(percentile(cpu, 95)) };
}

/** UTKFace-named small JPEGs, distinct bytes each, for the import into the full catalogue. */
async function writeImportFolder(dir, n) {
  fs.mkdirSync(dir, { recursive: true });
  const rnd = mulberry32(7);
  for (let i = 0; i < n; i++) {
    const raw = Buffer.alloc(24 * 32 * 3);
    for (let k = 0; k < raw.length; k++) raw[k] = (i * 131 + k * 7 + (k % 3) * 50) % 256;
    const age = 1 + Math.floor(rnd() * 90);
    const name = `${age}_${i % 2}_${i % 5}_2017011${String(i).padStart(10, '0')}.jpg.chip.jpg`;
    fs.writeFileSync(path.join(dir, name), await sharp(raw, { raw: { width: 24, height: 32, channels: 3 } }).jpeg({ quality: 80 }).toBuffer());
  }
}

/** Every request the Review screen sends (and the counts and no-face list it shows), by name. */
function reviewQueries(db, cropCount) {
  const page = (filter, sort, offset = 0) => () => listReview(db, { filter, ...(sort ? { sort } : {}), offset, limit: PAGE });
  const mid = Math.floor(cropCount / 2 / PAGE) * PAGE;
  const q = {
    'grid:first page (pending, worst quality first)': page({ status: ['pending'] }, 'quality-asc'),
    'grid:middle page (pending)': page({ status: ['pending'] }, 'quality-asc', Math.floor((cropCount * 0.7) / 2 / PAGE) * PAGE),
    'grid:first page (all)': page({}, 'quality-asc'),
    'grid:middle page (all)': page({}, 'quality-asc', mid),
    'grid:last page (all)': page({}, 'quality-asc', Math.floor((cropCount - 1) / PAGE) * PAGE),
  };
  for (const sort of ['quality-asc', 'quality-desc', 'id', 'age-disagreement']) {
    q[`sort:${sort}`] = page({}, sort);
    q[`sort:${sort} middle page`] = page({}, sort, mid);
  }
  for (const s of CROP_STATUSES) q[`filter:status=${s}`] = page({ status: [s] });
  for (const g of GENDERS) q[`filter:gender=${g}`] = page({ genders: [g] });
  for (const s of ['train', 'val', 'test', 'none']) q[`filter:split=${s}`] = page({ splits: [s] });
  for (const b of AGE_BIN_NAMES) q[`filter:age=${b}`] = page({ ageBins: [b] });
  for (const f of CROP_FLAGS) q[`filter:flag=${f}`] = page({ flags: [f] });
  q['filter:edited'] = page({ edited: true });
  q['filter:dataset'] = page({ datasetId: 2 });
  q['filter:pending+female+20-29'] = page({ status: ['pending'], genders: ['female'], ageBins: ['20-29'] });
  q['filter:pending+flag=blurry, middle page'] = page({ status: ['pending'], flags: ['blurry'] }, 'quality-asc', 5 * PAGE);
  q['filter:accepted+train+male, age-disagreement'] = page({ status: ['accepted'], splits: ['train'], genders: ['male'] }, 'age-disagreement');
  q['counts'] = () => countCatalogue(db);
  const rnd = mulberry32(3);
  q['detail'] = () => getCropDetail(db, 1 + Math.floor(rnd() * cropCount));
  q['no-face list'] = () => listNoFaceImages(db, { offset: 0, limit: PAGE });
  q['no-face list, last page'] = () => listNoFaceImages(db, { offset: Math.floor(cropCount * 0.03 / PAGE) * PAGE, limit: PAGE });
  return q;
}

await inBenchDataDir('chronoface-bench-catalogue-', json, async (dataDir, reuse) => {
  let db;
  let buildSeconds = null;
  let imageSeconds = null;
  let importSeconds = null;
  let migrateSeconds = null;
  if (!reuse) {
    db = openCatalogue(dataDir);
    const t0 = Date.now();
    ({ imageSeconds } = buildCatalogue(db, {
      total,
      onProgress: (done) => { if (done % 50_000 === 0) log(`${done} images (${((Date.now() - t0) / 1000).toFixed(0)} s)`); },
    }));
    buildSeconds = (Date.now() - t0) / 1000;
    db.close();

    // The import into the full catalogue: read, hash and header-check real files, identity lookups, inserts.
    const folder = path.join(dataDir, 'import-folder');
    await writeImportFolder(folder, importFiles);
    db = openCatalogue(dataDir);
    const i0 = process.hrtime.bigint();
    const imported = await importDataset(db, { path: folder, format: 'utkface' });
    importSeconds = Number(process.hrtime.bigint() - i0) / 1e9;
    if (imported.imported !== importFiles) throw new Error(`imported ${imported.imported} of ${importFiles}: ${JSON.stringify(imported.errors.slice(0, 3))}`);
    db.close();
  } else {
    const m0 = Date.now();
    openCatalogue(dataDir).close();
    migrateSeconds = (Date.now() - m0) / 1000;
  }

  // The app opens the catalogue once and keeps it: a fresh connection, then every query.
  db = openCatalogue(dataDir);
  const cropCount = db.prepare('SELECT COUNT(*) FROM crops').pluck().get();
  const imageCount = db.prepare('SELECT COUNT(*) FROM images').pluck().get();
  const queries = {};
  for (const [name, fn] of Object.entries(reviewQueries(db, cropCount))) {
    queries[name] = time(fn);
    log(`${name}: p50 ${queries[name].p50} ms, p95 ${queries[name].p95} ms`);
  }
  const statsMs = time(() => catalogueStats(db));
  log(`stats: p50 ${statsMs.p50} ms, p95 ${statsMs.p95} ms`);
  // Preparation's duplicate search: each new crop's perceptual hash against every crop's in the catalogue.
  // The load gives way between pages: the longest stretch without a turn of the event loop is what an app would feel.
  let lastTurn = performance.now();
  let longestPause = 0;
  let loading = true;
  const turn = () => {
    const now = performance.now();
    longestPause = Math.max(longestPause, now - lastTurn);
    lastTurn = now;
    if (loading) setImmediate(turn);
  };
  setImmediate(turn);
  const d0 = performance.now();
  const dups = await DuplicateIndex.load(db, dataDir);
  const duplicateIndexLoadMs = performance.now() - d0;
  loading = false;
  const rnd = mulberry32(99);
  const word = () => Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0');
  const grey = Buffer.alloc(128 * 128 * 3, 128);
  const findMs = [];
  for (let i = 0; i < samples * 4; i++) {
    const t = performance.now();
    await dups.find(word() + word(), grey, 128);
    findMs.push(performance.now() - t);
  }
  const duplicateSearch = { loadMs: Math.round(duplicateIndexLoadMs), loadLongestPauseMs: Math.round(longestPause), findP50Ms: +percentile(findMs, 50).toFixed(2), findP95Ms: +percentile(findMs, 95).toFixed(2) };
  log(`duplicate search: ${JSON.stringify(duplicateSearch)}`);
  const worst = Object.entries(queries).sort((a, b) => b[1].p95 - a[1].p95)[0];
  const worstCpu = Object.entries(queries).sort((a, b) => b[1].cpuP95 - a[1].cpuP95)[0];
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  const catalogueBytes = fs.statSync(path.join(dataDir, CATALOGUE_FILE)).size;
  const importImagesPerSecond = importSeconds === null ? null : Math.round(importFiles / importSeconds);
  const report = {
    images: imageCount,
    crops: cropCount,
    buildSeconds: buildSeconds === null ? null : +buildSeconds.toFixed(1),
    ...(migrateSeconds === null ? {} : { migrateSeconds }),
    fillImagesPerSecond: imageSeconds === null ? null : Math.round(total / imageSeconds),
    importImagesPerSecond,
    importFiles,
    queries,
    queryP95Ms: worst[1].p95,
    worstQuery: worst[0],
    queryCpuP95Ms: worstCpu[1].cpuP95,
    worstCpuQuery: worstCpu[0],
    statsMs,
    duplicateSearch,
    catalogueBytes,
    goals: GOALS,
    pass: worst[1].p95 <= GOALS.queryP95Ms && statsMs.p95 <= GOALS.statsMs && (importImagesPerSecond === null || importImagesPerSecond >= GOALS.importImagesPerSecond),
    samples,
    loadAverage1m: +os.loadavg()[0].toFixed(2),
    cpus: os.cpus().length,
  };
  return report;
});
