import fs from 'node:fs/promises';
import path from 'node:path';
import { readCsvFile } from './csv-parse.js';
import { LabelError, normaliseGender, normaliseSplit, parseAge } from './labels.js';
import type { CsvOptions, ImportItem, Scanner } from './types.js';
import { toRel } from './walk.js';

export class CsvUsageError extends Error {}

/** The CSV to read: the option (absolute or relative to root) or the only *.csv directly in root. */
export async function findCsv(root: string, csv?: string): Promise<string> {
  if (csv !== undefined) return path.resolve(root, csv);
  const names = (await fs.readdir(root)).filter((n) => n.toLowerCase().endsWith('.csv') && !n.startsWith('.'));
  if (names.length === 1) return path.join(root, names[0]!);
  throw new CsvUsageError(
    names.length === 0 ? `no .csv file in ${root}: pass --csv FILE` : `${names.length} .csv files in ${root} (${names.join(', ')}): pass --csv FILE`,
  );
}

const DEFAULT_PATH_COLUMNS = ['path', 'file', 'filename', 'image', 'file_name', 'filepath'];

export const csvScanner: Scanner = {
  format: 'csv',
  async scan(root, options: CsvOptions) {
    const csvAbs = await findCsv(root, options.csv);
    const csvRel = toRel(root, csvAbs);
    const table = await readCsvFile(csvAbs, csvRel);
    const col = (flag: string, explicit: string | undefined, defaults: readonly string[]): number => {
      if (explicit !== undefined) {
        const byName = table.column(explicit);
        if (byName >= 0) return byName;
        throw new CsvUsageError(`${csvRel} has no column "${explicit}" (--${flag}); its columns are: ${table.header.join(', ')}`);
      }
      for (const d of defaults) {
        const i = table.column(d);
        if (i >= 0) return i;
      }
      return -1;
    };
    const pathCol = col('path-col', options.pathColumn, DEFAULT_PATH_COLUMNS);
    if (pathCol < 0) throw new CsvUsageError(`${csvRel} has no path column: pass --path-col NAME (columns: ${table.header.join(', ')})`);
    const ageCol = col('age-col', options.ageColumn, ['age']);
    const genderCol = col('gender-col', options.genderColumn, ['gender', 'sex']);
    const subjectCol = col('subject-col', options.subjectColumn, ['subject', 'person', 'identity', 'subject_id']);
    const splitCol = col('split-col', options.splitColumn, ['split', 'set', 'partition']);
    const maleValue = options.maleValue ?? '1';
    if (maleValue !== '0' && maleValue !== '1') throw new CsvUsageError(`--male-value must be 0 or 1, got "${maleValue}"`);

    const warnings: string[] = [];
    const csvDir = path.dirname(csvAbs);
    const seen = new Set<string>();
    let numericGender = false;
    const items: ImportItem[] = [];
    for (const rec of table.records) {
      const value = (i: number): string | undefined => (i >= 0 ? rec.values[i] : undefined);
      const raw = (value(pathCol) ?? '').trim();
      const where = `${csvRel} row ${rec.row}`;
      if (raw === '') {
        items.push({ relPath: `${csvRel}#${rec.row}`, labelError: `${where}: empty path` });
        continue;
      }
      // Relative paths are tried against the root first, then the CSV's own folder.
      let abs = path.resolve(root, raw);
      if (csvDir !== root) {
        try {
          await fs.access(abs);
        } catch {
          abs = path.resolve(csvDir, raw);
        }
      }
      const relPath = toRel(root, abs);
      if (seen.has(relPath)) {
        warnings.push(`${where}: ${raw} is listed again; the first row's labels are kept`);
        continue;
      }
      seen.add(relPath);
      try {
        const genderRaw = value(genderCol);
        if (genderRaw !== undefined && /^[01](\.0)?$/.test(genderRaw.trim())) numericGender = true;
        items.push({
          relPath,
          labels: {
            age: parseAge(value(ageCol)),
            gender: normaliseGender(genderRaw, maleValue),
            subject: (value(subjectCol) ?? '').trim() || null,
            split: normaliseSplit(value(splitCol)),
            originFile: csvRel,
            originRow: rec.row,
          },
        });
      } catch (err) {
        if (err instanceof LabelError) items.push({ relPath, labelError: `${where}: ${err.message}` });
        else throw err;
      }
    }
    if (numericGender && options.maleValue === undefined) {
      warnings.push(`${csvRel} codes gender as 0/1; 1 was taken as male (pass --male-value 0 if 0 means male)`);
    }
    return { items, warnings };
  },
};
