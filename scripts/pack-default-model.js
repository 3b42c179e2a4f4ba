#!/usr/bin/env node
// Packs a trained model folder as the default model shipped in assets/models/default: float16 weights, the sidecar,
// and a model card built from the sidecar and, when given, the JSON of `chronoface eval --json` (--eval FILE).
// The model's age prototypes (prototypes.json, prototypes.bin), detail-energy table (detail-energy.json) and detail bank
// (detail-bank.bin) come along.
// --shift K --gain G --detail D --chroma C --tone T --mask-grow R --prototype W store the way outputs are carried onto photos (tuned with
// `chronoface eval`) in the sidecar, as the defaults of `age` and `eval` for this model.
// --lightness K=V,... (or off) stores the settings of aging in lightness and detail (ml/aging/detail-change.ts, chosen on
// the validation split) as the sidecar's aging.lightness, over the model's own or the starting values.
// --sidecar-only changes only MODEL_DIR's sidecar.json in place (the aging settings), keeping its weights and card.
// Usage: node scripts/pack-default-model.js MODEL_DIR [--eval eval.json] [--out assets/models/default] [--shift K] [--gain G] [--detail D] [--chroma C] [--tone T] [--mask-grow R] [--prototype W] [--lightness K=V,...] [--sidecar-only]
import fs from 'node:fs';
import path from 'node:path';
import { inheritedLicence } from '../dist/node/domain/dataset-licences.js';
import { loadCvaeValues, readSidecar, saveCvaeValues } from '../dist/node/ml/cvae/io.js';
import { PROTOTYPE_TEXTURES_FILE, PROTOTYPES_FILE } from '../dist/node/ml/shape/prototypes-io.js';
import { lightnessFromSpec, parseLightness } from '../dist/node/ml/aging/detail-change.js';
import { DETAIL_BANK_FILE } from '../dist/node/ml/aging/detail-bank.js';
import { DETAIL_ENERGY_FILE } from '../dist/node/ml/aging/detail-energy.js';
import { flag, option as opt, REPO_ROOT as root } from './script-args.js';

const args = process.argv.slice(2);
const modelDir = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
if (!modelDir) {
  console.error('usage: node scripts/pack-default-model.js MODEL_DIR [--eval eval.json] [--out DIR]');
  process.exit(2);
}
const out = path.resolve(opt('out') ?? path.join(root, 'assets/models/default'));
const sidecar = readSidecar(modelDir);
const aging = { ...(sidecar.aging ?? {}) };
for (const [flagName, key] of [['shift', 'shift'], ['gain', 'gain'], ['detail', 'detail'], ['chroma', 'chroma'], ['tone', 'tone'], ['mask-grow', 'maskGrow'], ['prototype', 'prototype']]) {
  if (opt(flagName) === undefined) continue;
  const v = Number(opt(flagName));
  if (!Number.isFinite(v) || v < 0) throw new Error(`--${flagName} must be a number >= 0, got ${opt(flagName)}`);
  aging[key] = v;
}
if (opt('lightness') !== undefined) {
  const l = lightnessFromSpec(opt('lightness'), parseLightness(aging.lightness, path.join(modelDir, 'sidecar.json')));
  if (l) aging.lightness = l;
  else delete aging.lightness;
}
if (flag('sidecar-only')) {
  const file = path.join(modelDir, 'sidecar.json');
  const json = JSON.parse(fs.readFileSync(file, 'utf8'));
  fs.writeFileSync(file, `${JSON.stringify({ ...json, aging }, null, 1)}\n`);
  console.log(JSON.stringify({ sidecar: file, aging }));
  process.exit(0);
}
if (path.resolve(modelDir) === out) throw new Error(`MODEL_DIR is the output folder ${out}: pack into another --out, or use --sidecar-only`);
const { config, values } = await loadCvaeValues(modelDir);
fs.rmSync(out, { recursive: true, force: true });
// Paths of the machine it was trained on name only their last folder: a committed file holds no machine paths.
const training = JSON.parse(JSON.stringify(sidecar.training ?? {}), (key, v) => (typeof v === 'string' && path.isAbsolute(v) ? path.basename(v) : v));
await saveCvaeValues(out, config, values, { ...sidecar, training, ...(Object.keys(aging).length ? { aging } : {}), createdAt: sidecar.createdAt }, { float16: true });
for (const f of [PROTOTYPES_FILE, PROTOTYPE_TEXTURES_FILE, DETAIL_ENERGY_FILE, DETAIL_BANK_FILE]) if (fs.existsSync(path.join(modelDir, f))) fs.copyFileSync(path.join(modelDir, f), path.join(out, f));

const evalFile = opt('eval');
const evaluation = evalFile ? JSON.parse(fs.readFileSync(evalFile, 'utf8').trim().split('\n').pop()) : null;
const t = training;
const lines = [
  '# Default model card',
  '',
  'The model `chronoface age` and the app use when the data directory has no model of its own.',
  '',
  `**Licence: it was trained on UTKFace crops and inherits their licence: ${inheritedLicence(['utkface'])}.**`,
  '',
  '| | |',
  '|---|---|',
  `| network | conditional VAE, preset \`${config.preset}\`${config.film ? ' (FiLM conditioning in the decoder)' : ''}, ${config.imageSize} px, latent ${config.latentDim} |`,
  `| data | ${t.trainImages ?? '?'} training crops of ../shared/datasets/utkface and utkface-extra (3,600 UTKFace images, balanced over age decades), prepared by \`chronoface prepare\` with the settings in sidecar.json |`,
  `| trained age range | ${sidecar.ageRange.min}-${sidecar.ageRange.max} |`,
  `| dataset fingerprint | \`${sidecar.datasetFingerprint}\` |`,
  `| epochs | ${sidecar.epoch} |`,
  `| training settings | \`${JSON.stringify(t.config ?? t)}\` |`,
  `| training time | ${t.seconds !== undefined ? `${Math.round(t.seconds)} s` : '?'} on ${t.backend ?? '?'} (2-core CPU, no GPU) |`,
  `| validation | loss ${fmt(sidecar.metrics.valLoss)}, PSNR ${fmt(sidecar.metrics.valPsnr)} dB, MSE ${fmt(sidecar.metrics.valMse, 4)} |`,
  `| aging defaults | ${Object.keys(aging).length ? Object.entries(aging).map(([k, v]) => `--${k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} ${v}`).join(', ') : 'none (residual transfer)'} |`,
  `| weights | float16 (${(fs.statSync(path.join(out, 'weights.bin')).size / 1e6).toFixed(1)} MB) |`,
  '',
];
if (evaluation) {
  lines.push('## Evaluation (`chronoface eval --json` on the test split)', '', '```json', JSON.stringify(evaluation, null, 1), '```', '');
}
fs.writeFileSync(path.join(out, 'MODEL_CARD.md'), lines.join('\n'));
console.log(JSON.stringify({ out, weightsBytes: fs.statSync(path.join(out, 'weights.bin')).size }));

function fmt(v, digits = 2) {
  return typeof v === 'number' ? v.toFixed(digits) : '?';
}
