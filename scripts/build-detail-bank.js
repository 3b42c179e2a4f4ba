#!/usr/bin/env node
// Builds a model's detail bank (ml/aging/detail-bank.ts: real faces' lines by gender, age bin and skin region) from a
// catalogue's prepared crops of the TRAIN split only, of people not followed over the years (no FG-NET), with
// landmarks, a known gender and clean signals (no flags, quality >= 0.15, yaw and pitch within 15°, sharp), and writes
// detail-bank.bin into the model folder. Reservoirs of --per-slot patches per gender, age bin and region: memory is
// fixed by --per-slot, not by the number of crops.
// Usage: node scripts/build-detail-bank.js --data-dir DIR --model DIR [--per-slot 96] [--band 0.035] [--edge 45]
import fs from 'node:fs';
import path from 'node:path';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { loadEvalFaces, readCrop, scaleTransform } from '../dist/node/ml/eval/dataset.js';
import { applyAffine } from '../dist/node/ml/prep/geometry.js';
import { DETAIL_BANK_FILE, DetailBankBuilder, sourceRejection } from '../dist/node/ml/aging/detail-bank.js';
import { readSidecar } from '../dist/node/ml/cvae/io.js';
import { numberOption, requiredOptions } from './script-args.js';

const [dataDir, modelDir] = requiredOptions('node scripts/build-detail-bank.js --data-dir DIR --model DIR [--per-slot 96] [--band 0.035] [--edge 45]', 'data-dir', 'model');
const size = readSidecar(modelDir).imageSize;
// The fine band's blur: --band of a face about 0.55 crop wide (as fit-detail-energy.js's lines blur).
const builder = new DetailBankBuilder(size, numberOption('band', 0.035) * 0.55 * size, numberOption('per-slot', 96), numberOption('edge', 45));
const db = openCatalogue(dataDir, { readonly: true });
const signalsOf = db.prepare('SELECT quality, signals_json, flags_json FROM crops WHERE id = ?');
const t0 = performance.now();
const rejected = {};
for (const face of loadEvalFaces(db, dataDir, 'train', Number.MAX_SAFE_INTEGER)) {
  const reject = (why) => (rejected[why] = (rejected[why] ?? 0) + 1);
  if (!face.person.startsWith('image:')) { reject('followed person'); continue; }
  if (face.gender !== 'male' && face.gender !== 'female') { reject('gender unknown'); continue; }
  if (!face.landmarks || face.landmarks.length < 468) { reject('no landmarks'); continue; }
  const row = signalsOf.get(face.cropId);
  const signals = JSON.parse(row.signals_json ?? '{}');
  const why = sourceRejection({ quality: row.quality, flags: JSON.parse(row.flags_json ?? '[]'), yaw: signals.yaw, pitch: signals.pitch, blur: signals.blur });
  if (why) { reject(why); continue; }
  const transform = scaleTransform(face.transform, size / face.cropSize);
  try {
    builder.add(await readCrop(face, size), face.landmarks.map((p) => applyAffine(transform, p)), face.age, face.gender);
  } catch (err) {
    reject(`unreadable (${err instanceof Error ? err.message : String(err)})`);
  }
}
db.close();
const bytes = builder.serialize();
const file = path.join(modelDir, DETAIL_BANK_FILE);
fs.writeFileSync(file, bytes);
console.log(JSON.stringify({ file, bytes: bytes.length, ...builder.stats(), rejected, seconds: Math.round((performance.now() - t0) / 100) / 10, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
