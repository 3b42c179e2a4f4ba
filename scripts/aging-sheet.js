#!/usr/bin/env node
// A contact sheet for looking at aging: every FG-NET person followed over the years (one photo each) and faces of a
// split of every decade, each aged to the given ages, one row per face (the input, then the outputs), cut from the
// full-resolution outputs in the aligned frame at --px pixels.
// Usage: node scripts/aging-sheet.js --data-dir DIR --out sheet.png [--split test] [--per-decade 1] [--ages 10,20,40,60,80]
//        [--model DIR] [--lightness off|K=V,...] [--px 192]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { loadEvalModel } from '../dist/node/workflows/eval.js';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { loadEvalFaces, loadFollowedFaces, readCrop } from '../dist/node/ml/eval/dataset.js';
import { ageEvalFace } from '../dist/node/ml/eval/age-eval-face.js';
import { blendSettings, modelLightness } from '../dist/node/ml/aging/age-face.js';
import { lightnessFromSpec } from '../dist/node/ml/aging/detail-change.js';
import { warpAffine } from '../dist/node/ml/prep/warp.js';
import { renderContactSheet } from '../dist/node/ml/aging/contact-sheet.js';
import { joinHorizontally } from '../dist/node/ml/aging/writers.js';
import { numberOption, option as opt, requiredOptions } from './script-args.js';

const [dataDir, out] = requiredOptions(
  'node scripts/aging-sheet.js --data-dir DIR --out sheet.png [--split test] [--per-decade 1] [--ages 10,20,40,60,80] [--model DIR] [--lightness off|K=V,...] [--px 192]',
  'data-dir',
  'out',
);
const split = opt('split', 'test');
const perDecade = numberOption('per-decade', 1);
const px = numberOption('px', 192);
const ages = opt('ages', '10,20,40,60,80').split(',').map(Number);
const model = await loadEvalModel(dataDir, opt('model'));
const spec = opt('lightness');
const blend = blendSettings(model, spec !== undefined ? { lightness: lightnessFromSpec(spec, modelLightness(model)) } : {});
const db = openCatalogue(dataDir);
const followed = new Map();
for (const f of loadFollowedFaces(db, dataDir)) followed.set(f.person, [...(followed.get(f.person) ?? []), f]);
// One photo a person, a third of the way through their years (a child for those followed from childhood).
const faces = [...followed.values()].map((list) => ({ face: list[Math.floor(list.length / 3)], label: `FG-NET ${path.basename(list[0].photoPath).slice(0, 3)}` }));
const pool = loadEvalFaces(db, dataDir, split, 100000).filter((f) => !followed.has(f.person));
for (let decade = 0; decade <= 8; decade++) {
  const inDecade = pool.filter((f) => (decade === 8 ? f.age >= 80 : Math.floor(f.age / 10) === decade));
  for (let j = 0; j < perDecade && j < inDecade.length; j++) faces.push({ face: inDecade[Math.floor((j * inDecade.length) / perDecade)], label: split });
}
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'aging-sheet-'));
const rows = [];
for (const [k, { face, label }] of faces.entries()) {
  const crop = await readCrop(face, model.size);
  const { photo, outputs } = await ageEvalFace(model, face, crop, ages, { ...blend, ageShift: true });
  const s = px / face.cropSize;
  const t = face.transform.map((v) => v * s);
  const cut = async (img) => ({ data: await warpAffine({ ...img, data: Buffer.from(img.data.buffer, img.data.byteOffset, img.data.length) }, t, px), width: px, height: px, channels: 3 });
  const strip = joinHorizontally(await Promise.all([photo, ...outputs].map(cut)), 4);
  const file = path.join(tmp, `${k}.png`);
  await sharp(strip.data, { raw: { width: strip.width, height: strip.height, channels: 3 } }).png().toFile(file);
  rows.push({ label: `${label} ${path.basename(face.photoPath).slice(0, 12)} age ${face.age}`, stripFile: file });
  console.error(`${rows.length}/${faces.length} ${rows.at(-1).label}`);
}
fs.writeFileSync(out, await renderContactSheet(rows, { rowHeight: px, labelWidth: 220, ages: ['input', ...ages] }));
fs.rmSync(tmp, { recursive: true, force: true });
db.close();
console.log(JSON.stringify({ out, rows: rows.length, ages }));
