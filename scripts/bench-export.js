#!/usr/bin/env node
// Export scale benchmark: the synthetic catalogue of bench:catalogue (default 500,000 images, about 485,000 crops),
// each crop given a real 128 px PNG face (hard links to a few dozen UTKFace faces, so the catalogue costs inodes, not
// gigabytes), then `chronoface export` of every crop (all statuses) in each --formats layout, with no re-encoding.
// Reports crops per second and the export process's peak resident memory (VmHWM, polled from /proc).
// Usage: npm run bench:export -- [--json] [--images 500000] [--formats webdataset,imagefolder] [--faces 48] [--data-dir DIR]
// BENCH_KEEP=1 keeps the data directory; --data-dir exports a kept one again (without building it). Needs the built CLI
// (npm run build:node) and ../shared/datasets/utkface.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { buildCatalogue, inBenchDataDir } from './bench-catalogue-data.js';
import { flag, numberOption, option, REPO_ROOT, SHARED_DIR } from './script-args.js';

const json = flag('json');
const total = numberOption('images', 500_000);
const faces = numberOption('faces', 48);
const formats = option('formats', 'webdataset,imagefolder').split(',');
const log = (m) => { if (!json) console.error(m); };
const GOALS = { cropsPerSecond: 1000, peakRssMB: 500 };

/** Real faces as prepared crops would be: 128 px PNGs of UTKFace photos. */
async function facePngs(n) {
  const dir = path.join(SHARED_DIR, 'datasets/utkface');
  const names = fs.readdirSync(dir).filter((f) => f.endsWith('.jpg')).sort().slice(0, n);
  if (names.length === 0) throw new Error(`no UTKFace photos in ${dir}`);
  return Promise.all(names.map((f) => sharp(path.join(dir, f)).resize(128, 128).removeAlpha().png({ compressionLevel: 6 }).toBuffer()));
}

function peakOf(pid) {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Runs the CLI's export; its peak RSS is polled every 50 ms until it exits. */
function runExport(dataDir, outDir, format) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(REPO_ROOT, 'bin/chronoface.js'), 'export', outDir, '--format', format, '--status', 'accepted,pending,rejected,needs-fix', '--data-dir', dataDir, '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let peakMB = 0;
    const poll = setInterval(() => { peakMB = Math.max(peakMB, peakOf(child.pid) ?? 0); }, 50);
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; if (out.length > 1e6) out = out.slice(-1e5); });
    child.stderr.on('data', (d) => { err += d; });
    child.on('error', reject);
    child.on('close', (code) => {
      clearInterval(poll);
      const last = out.trim().split('\n').pop();
      if (code !== 0) return reject(new Error(`export ${format} exited ${code}: ${last}\n${err.slice(-2000)}`));
      resolve({ result: JSON.parse(last), peakMB });
    });
  });
}

function du(dir) {
  let bytes = 0;
  const walk = (d) => { for (const e of fs.readdirSync(d, { withFileTypes: true })) { const p = path.join(d, e.name); if (e.isDirectory()) walk(p); else bytes += fs.statSync(p).size; } };
  walk(dir);
  return bytes;
}

await inBenchDataDir('chronoface-bench-export-', json, async (dataDir, reuse) => {
  const t0 = Date.now();
  const db = openCatalogue(dataDir);
  if (!reuse) buildCatalogue(db, { total, onProgress: (done) => { if (done % 100_000 === 0) log(`${done} images (${((Date.now() - t0) / 1000).toFixed(0)} s)`); } });
  const files = db.prepare('SELECT file FROM crops ORDER BY id').pluck().all();
  db.close();
  const pngs = await facePngs(faces);
  const sources = pngs.map((png, i) => { const f = path.join(dataDir, `face-${i}.png`); fs.writeFileSync(f, png); return f; });
  files.forEach((rel, i) => {
    const abs = path.join(dataDir, rel);
    if (i === 0 || !fs.existsSync(path.dirname(abs))) fs.mkdirSync(path.dirname(abs), { recursive: true });
    if (!reuse || !fs.existsSync(abs)) fs.linkSync(sources[i % sources.length], abs);
  });
  const buildSeconds = (Date.now() - t0) / 1000;
  log(`catalogue of ${files.length} crops in ${buildSeconds.toFixed(0)} s`);
  const runs = {};
  for (const format of formats) {
    const outDir = path.join(dataDir, `out-${format}`);
    const { result, peakMB } = await runExport(dataDir, outDir, format);
    runs[format] = {
      exported: result.exported,
      skipped: result.skipped,
      seconds: +result.seconds.toFixed(1),
      cropsPerSecond: Math.round(result.exported / result.seconds),
      peakRssMB: Math.round(peakMB),
      outputBytes: du(outDir),
    };
    // On stderr even with --json: removing a 500,000-file output takes minutes, and this figure is already known.
    console.error(`${format}: ${JSON.stringify(runs[format])}`);
    fs.rmSync(outDir, { recursive: true, force: true });
  }
  const slowest = Math.min(...Object.values(runs).map((r) => r.cropsPerSecond));
  const peak = Math.max(...Object.values(runs).map((r) => r.peakRssMB));
  const report = {
    images: reuse ? null : total,
    crops: files.length,
    cropBytes: Math.round(pngs.reduce((n, p) => n + p.length, 0) / pngs.length),
    buildSeconds: +buildSeconds.toFixed(1),
    runs,
    cropsPerSecond: slowest,
    peakRssMB: peak,
    goals: GOALS,
    pass: slowest >= GOALS.cropsPerSecond && peak <= GOALS.peakRssMB,
    loadAverage1m: +os.loadavg()[0].toFixed(2),
    cpus: os.cpus().length,
  };
  return report;
});
