import type { Command } from '../command.js';
import { numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { openCatalogue } from '../../db/catalogue.js';
import { IMPORT_FORMATS, type ImportFormat } from '../../db/importers/detect.js';
import { CsvUsageError } from '../../db/importers/csv.js';
import { DEFAULT_MAX_PIXELS } from '../../db/importers/probe.js';
import { importDataset } from '../../db/importers/run.js';
import type { CsvOptions } from '../../db/importers/types.js';

export const importCommand: Command = {
  name: 'import',
  summary: 'import a face dataset folder (MORPH-2 Kaggle, UTKFace, FG-NET, IMDB-WIKI, CACD, or any folder with a CSV)',
  usage: 'chronoface import [--format morph2|utkface|fgnet|csv|imdb-wiki|cacd] [csv options] PATH',
  options: {
    format: { kind: 'string', value: 'FORMAT', help: 'morph2, utkface, fgnet, csv, imdb-wiki or cacd (default: detected from the folder)' },
    name: { kind: 'string', value: 'NAME', help: 'dataset name (default: the folder name)' },
    csv: { kind: 'string', value: 'FILE', help: 'csv: the CSV file, relative to PATH (default: the only .csv in PATH)' },
    'path-col': { kind: 'string', value: 'COL', help: 'csv: column with the image path, relative to PATH (default: path/file/filename/image)' },
    'age-col': { kind: 'string', value: 'COL', help: 'csv: column with the age (default: age)' },
    'gender-col': { kind: 'string', value: 'COL', help: 'csv: column with the gender: M/F, male/female or 0/1 (default: gender/sex)' },
    'subject-col': { kind: 'string', value: 'COL', help: 'csv: column with the person id (default: subject/person/identity)' },
    'split-col': { kind: 'string', value: 'COL', help: 'csv: column with train/val/test (default: split/set)' },
    'male-value': { kind: 'string', value: '0|1', help: 'csv: which 0/1 gender code means male (default 1)' },
    'max-pixels': { kind: 'number', value: 'N', help: `reject images whose header claims more pixels (default ${DEFAULT_MAX_PIXELS})` },
    'batch-size': { kind: 'number', value: 'N', help: 'files per committed transaction (default 250)' },
  },
  async run(ctx) {
    const target = ctx.positionals[0];
    if (target === undefined || ctx.positionals.length > 1) throw new UsageError('give exactly one PATH to import');
    const format = stringOpt(ctx, 'format');
    if (format !== undefined && !IMPORT_FORMATS.includes(format as ImportFormat)) {
      throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}, got "${format}"`);
    }
    const csv: CsvOptions = {};
    const map: [keyof CsvOptions, string][] = [
      ['csv', 'csv'],
      ['pathColumn', 'path-col'],
      ['ageColumn', 'age-col'],
      ['genderColumn', 'gender-col'],
      ['subjectColumn', 'subject-col'],
      ['splitColumn', 'split-col'],
      ['maleValue', 'male-value'],
    ];
    for (const [key, flag] of map) {
      const v = stringOpt(ctx, flag);
      if (v !== undefined) csv[key] = v;
    }
    const { out } = ctx;
    const db = openCatalogue(ctx.dataDir);
    try {
      const maxPixels = numberOpt(ctx, 'max-pixels');
      const batchSize = numberOpt(ctx, 'batch-size');
      const name = stringOpt(ctx, 'name');
      const result = await importDataset(db, {
        path: target,
        csv,
        signal: ctx.signal,
        ...(format ? { format: format as ImportFormat } : {}),
        ...(name ? { name } : {}),
        ...(maxPixels !== undefined ? { maxPixels } : {}),
        ...(batchSize !== undefined ? { batchSize } : {}),
        onEvent(e) {
          if (e.type === 'progress') out.progress(e.done, e.total, `imported ${e.imported}, skipped ${e.skipped}, failed ${e.failed}`);
          else if (e.type === 'warning') out.warn(e.message);
          else {
            out.event(e);
            out.info(`importing ${e.total} files from ${e.root} as ${e.format} (dataset ${e.dataset})`);
          }
        },
      }).catch((err: unknown) => {
        if (err instanceof CsvUsageError) throw new UsageError(err.message);
        throw err;
      });
      const lines = [
        `dataset ${result.dataset} (${result.format}): imported ${result.imported}, skipped ${result.skipped} already catalogued, failed ${result.failed}`,
        ...result.errors.map((e) => `  ${e.file}: ${e.reason}`),
      ];
      if (!result.complete) lines.push('interrupted: run the same command again to resume');
      out.result(
        {
          dataset: result.dataset,
          imported: result.imported,
          skipped: result.skipped,
          failed: result.failed,
          errors: result.errors,
          format: result.format,
          warnings: result.warnings,
          splits: result.splits,
          complete: result.complete,
        },
        lines.join('\n'),
      );
      return result.complete ? 0 : 130;
    } finally {
      db.close();
    }
  },
};
