#!/usr/bin/env node
// Fits a model's table of real faces' detail by age (ml/aging/detail-energy.ts) to a catalogue's prepared crops of the
// train and val splits (test crops never take part), of people not followed over the years (no FG-NET), and writes
// detail-energy.json into the model folder. Running sums: memory does not grow with the number of crops.
// Usage: node scripts/fit-detail-energy.js --data-dir DIR --model DIR [--lines-blur 0.025] [--json]
import fs from 'node:fs';
import path from 'node:path';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { loadEvalFaces, readCrop } from '../dist/node/ml/eval/dataset.js';
import { DETAIL_ENERGY_FILE, DetailEnergyFit, fitSigma } from '../dist/node/ml/aging/detail-energy.js';
import { readSidecar } from '../dist/node/ml/cvae/io.js';
import { numberOption, requiredOptions } from './script-args.js';

const [dataDir, modelDir] = requiredOptions('node scripts/fit-detail-energy.js --data-dir DIR --model DIR [--lines-blur 0.025]', 'data-dir', 'model');
const size = readSidecar(modelDir).imageSize;
const fit = new DetailEnergyFit(size, fitSigma(size, numberOption("lines-blur", 0.025)));
const db = openCatalogue(dataDir);
const t0 = performance.now();
let skipped = 0;
for (const split of ['train', 'val']) {
  for (const face of loadEvalFaces(db, dataDir, split, Number.MAX_SAFE_INTEGER)) {
    if (!face.person.startsWith('image:')) continue;
    try {
      fit.add(await readCrop(face, size), face.age, face.gender);
    } catch {
      skipped++;
    }
  }
}
db.close();
const table = fit.result();
fs.writeFileSync(path.join(modelDir, DETAIL_ENERGY_FILE), `${JSON.stringify(table)}\n`);
console.log(JSON.stringify({ file: path.join(modelDir, DETAIL_ENERGY_FILE), crops: table.crops, skipped, seconds: Math.round((performance.now() - t0) / 100) / 10, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
