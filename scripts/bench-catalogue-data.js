// The synthetic catalogue bench:catalogue measures: images and their crops with the mix of ages, genders, splits,
// review states, flags and signals a curated set of public face datasets has, written through the db/ functions.
import { upsertCrop } from '../dist/node/db/crops.js';
import { ensureDataset } from '../dist/node/db/datasets.js';
import { insertImages, markImagePrepare } from '../dist/node/db/images.js';
import { NO_FACE_ERROR } from '../dist/node/db/faces.js';
import { mulberry32 } from '../dist/node/ml/cvae/rng.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { option } from './script-args.js';

const pick = (rnd, weighted) => {
  let r = rnd();
  for (const [value, w] of weighted) if ((r -= w) < 0) return value;
  return weighted[weighted.length - 1][0];
};
const normal = (rnd) => Math.sqrt(-2 * Math.log(rnd() || 1e-9)) * Math.cos(2 * Math.PI * rnd());
const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
const round = (v, d = 3) => Math.round(v * 10 ** d) / 10 ** d;

/** Three datasets: an IMDB-WIKI-like bulk (60 %), a UTKFace-like one (25 %) and a CACD-like one (15 %). */
const DATASETS = [
  { format: 'imdb-wiki', share: 0.6, perSubject: 25 },
  { format: 'utkface', share: 0.25, perSubject: 1 },
  { format: 'cacd', share: 0.15, perSubject: 80 },
];
const STATUS = [['pending', 0.7], ['accepted', 0.2], ['rejected', 0.07], ['needs-fix', 0.03]];
const GENDER = [['male', 0.55], ['female', 0.43], ['unknown', 0.02]];
const SPLIT = [['train', 0.8], ['val', 0.1], ['test', 0.1]];
const CROP_FLAGS = [['profile', 0.08], ['blurry', 0.06], ['dark', 0.04], ['tiny', 0.03], ['several-faces', 0.05], ['duplicate', 0.01]];
const IMPORT_FLAGS = [['mislabel', 0.01], ['no-face', 0.01], ['several-faces', 0.02]];
/** Share of images where preparation found no face (they have no crop and fill the no-face list). */
const NO_FACE = 0.03;

function labels(rnd, ds, i) {
  const subject = `${ds.format}-${Math.floor(i / ds.perSubject)}`;
  const age = rnd() < 0.01 ? null : Math.round(clamp(33 + 16 * normal(rnd), 0, 100));
  const flags = IMPORT_FLAGS.filter(([, p]) => rnd() < p).map(([f]) => f);
  return { age, gender: pick(rnd, GENDER), subject, flags };
}

function cropOf(rnd, imageId, image) {
  const flags = CROP_FLAGS.filter(([, p]) => rnd() < p).map(([f]) => f);
  const signals = {
    score: round(0.6 + 0.4 * rnd()),
    yaw: round(25 * normal(rnd), 1),
    pitch: round(12 * normal(rnd), 1),
    roll: round(8 * normal(rnd), 1),
    blur: round(20 + 300 * rnd(), 1),
    brightness: round(40 + 180 * rnd(), 1),
    contrast: round(10 + 40 * rnd(), 1),
    interOcular: round(20 + 80 * rnd(), 1),
    faceCount: flags.includes('several-faces') ? 2 : 1,
    outside: round(rnd() < 0.9 ? 0 : 0.2 * rnd()),
  };
  const quality = round(clamp(0.75 + 0.2 * normal(rnd), 0, 1) * (flags.length ? 0.6 : 1), 4);
  return {
    imageId,
    faceId: null,
    file: `crops/${Math.floor(imageId / 1000)}/${imageId}.png`,
    size: 128,
    transform: [0.64, 0.02, -12.5, -0.02, 0.64, -8.25],
    inverse: [1.5614, -0.0488, 19.11, 0.0488, 1.5614, 13.49],
    keypoints: { leftEye: [44.8, 51.2], rightEye: [83.2, 51.2], nose: [64, 72.5], mouthLeft: [48.6, 93.4], mouthRight: [79.4, 93.4] },
    settings: { version: 1, size: 128, background: { enabled: false }, lighting: { enabled: false } },
    quality,
    signals,
    flags,
    phash: Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0') + Math.floor(rnd() * 2 ** 32).toString(16).padStart(8, '0'),
    status: pick(rnd, STATUS),
    estAge: image.age === null ? null : round(clamp(image.age + (rnd() < 0.05 ? 25 : 6) * normal(rnd), 0, 100), 1),
    estGender: image.gender === 'unknown' ? null : rnd() < 0.05 ? (image.gender === 'male' ? 'female' : 'male') : image.gender,
  };
}

/**
 * Fills the catalogue with `total` images (insertImages, in batches of `batch` per transaction) and a crop for each
 * prepared one (upsertCrop), and records the others as photos without a face (markImagePrepare). Returns how long
 * the image inserts took, for the import rate.
 */
export function buildCatalogue(db, { total, seed = 14, batch = 5000, onProgress = () => {} }) {
  const rnd = mulberry32(seed);
  const datasets = DATASETS.map((d, n) => ({ ...d, id: ensureDataset(db, { root: `/bench/${d.format}`, format: d.format, name: `bench ${d.format}` }).id, count: 0, n }));
  // Review status and estimates have no db/ writer of their own yet (the review and the estimators set them).
  const review = db.prepare('UPDATE crops SET status = ?, est_age = ?, est_gender = ?, edited = ? WHERE id = ?');
  let imageSeconds = 0;
  for (let start = 0; start < total; start += batch) {
    const rows = [];
    for (let i = start; i < Math.min(total, start + batch); i++) {
      const ds = datasets[pick(rnd, datasets.map((d) => [d.n, d.share]))];
      const l = labels(rnd, ds, ds.count++);
      rows.push({
        datasetId: ds.id,
        relPath: `${String(i % 100).padStart(2, '0')}/${i}.jpg`,
        contentHash: `${i.toString(16).padStart(12, '0')}bench${seed}`,
        width: 250 + Math.floor(rnd() * 400),
        height: 250 + Math.floor(rnd() * 400),
        format: 'jpeg',
        age: l.age,
        gender: l.gender,
        subject: l.subject,
        split: pick(rnd, SPLIT),
        originFile: `${String(i % 100).padStart(2, '0')}/${i}.jpg`,
        flags: l.flags,
      });
    }
    const t0 = process.hrtime.bigint();
    const ids = insertImages(db, rows);
    imageSeconds += Number(process.hrtime.bigint() - t0) / 1e9;
    db.transaction(() => {
      ids.forEach((id, k) => {
        if (rnd() < NO_FACE) return markImagePrepare(db, id, 'failed', NO_FACE_ERROR);
        const c = cropOf(rnd, id, rows[k]);
        const cropId = upsertCrop(db, c);
        review.run(c.status, c.estAge, c.estGender, rnd() < 0.005 ? 1 : 0, cropId);
        markImagePrepare(db, id, 'done');
      });
    })();
    onProgress(Math.min(total, start + batch), total);
  }
  return { imageSeconds };
}

/** Runs a catalogue bench in its data directory: --data-dir DIR (a kept one, measured again as it is) or a new temporary
 *  folder `prefix`*, removed afterwards unless BENCH_KEEP is set. `run(dataDir, reuse)` returns the report, printed as
 *  one JSON line with `json`, else as an object. */
export async function inBenchDataDir(prefix, json, run) {
  const reuse = option('data-dir');
  const dataDir = reuse ? path.resolve(reuse) : fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  try {
    const report = await run(dataDir, Boolean(reuse));
    console.log(json ? JSON.stringify(report) : report);
  } finally {
    if (!process.env.BENCH_KEEP && !reuse) fs.rmSync(dataDir, { recursive: true, force: true });
    else console.error(`kept ${dataDir}`);
  }
}
