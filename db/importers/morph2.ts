import path from 'node:path';
import type { Gender } from '../../domain/gender.js';
import type { Split } from '../../domain/split.js';
import { readCsvFile } from './csv-parse.js';
import { LabelError, parseAge } from './labels.js';
import type { ImportItem, Scanner } from './types.js';
import { isDir, isFile, listImageFiles, toRel } from './walk.js';

/** Kaggle's CSV ages read as the real age minus this. */
export const MORPH_CSV_AGE_OFFSET = 16;
const SPLITS: readonly { csv: string; folder: string; split: Split }[] = [
  { csv: 'Train.csv', folder: 'Train', split: 'train' },
  { csv: 'Validation.csv', folder: 'Validation', split: 'val' },
  { csv: 'Test.csv', folder: 'Test', split: 'test' },
];

/** <subject>_<index><M|F><age>.JPG, e.g. 00013_00M19.JPG. */
const NAME = /^(\d+)_(\d+)([MFmf])(\d+)\.[A-Za-z]+$/;

export function parseMorphName(base: string): { subject: string; index: number; gender: Gender; age: number } {
  const m = NAME.exec(base);
  if (!m) throw new LabelError(`unparseable name "${base}": expected <subject>_<index><M|F><age>.JPG`);
  const age = parseAge(m[4]);
  if (age === null) throw new LabelError(`unparseable name "${base}": no age`);
  return { subject: m[1]!, index: Number(m[2]), gender: m[3]!.toUpperCase() === 'M' ? 'male' : 'female', age };
}

/** The folder holding Index/ and Images/: the root itself or root/Dataset. */
export async function morphBase(root: string): Promise<string | undefined> {
  for (const base of [root, path.join(root, 'Dataset')]) {
    for (const s of SPLITS) if (await isFile(path.join(base, 'Index', s.csv))) return base;
    if (await isDir(path.join(base, 'Images', 'Train'))) return base;
  }
  return undefined;
}

export const morph2Scanner: Scanner = {
  format: 'morph2',
  async scan(root) {
    const base = await morphBase(root);
    if (!base) throw new Error(`${root} is not a MORPH-2 Kaggle folder: no Dataset/Index/Train.csv or Dataset/Images/Train`);
    const warnings: string[] = [];
    const items: ImportItem[] = [];
    const listed = new Set<string>();
    for (const s of SPLITS) {
      const csvAbs = path.join(base, 'Index', s.csv);
      const imagesDir = path.join(base, 'Images', s.folder);
      const csvRel = toRel(root, csvAbs);
      if (await isFile(csvAbs)) {
        const table = await readCsvFile(csvAbs, csvRel);
        const [ageCol, genderCol, fileCol] = ['age', 'gender', 'filename'].map((c) => table.column(c));
        if (fileCol === undefined || fileCol < 0) throw new Error(`${csvRel} has no "filename" column`);
        for (const rec of table.records) {
          const filename = (rec.values[fileCol] ?? '').trim();
          const relPath = toRel(root, path.join(imagesDir, filename));
          const origin = { originFile: csvRel, originRow: rec.row };
          if (filename === '') {
            items.push({ relPath: `${csvRel}#${rec.row}`, labelError: `${csvRel} row ${rec.row}: empty filename` });
            continue;
          }
          if (listed.has(relPath)) continue;
          listed.add(relPath);
          try {
            const l = parseMorphName(filename);
            const item: ImportItem = { relPath, labels: { age: l.age, gender: l.gender, subject: l.subject, split: s.split, ...origin } };
            const itemWarnings: string[] = [];
            const csvAge = ageCol !== undefined && ageCol >= 0 ? Number(rec.values[ageCol]) : NaN;
            if (Number.isFinite(csvAge) && l.age - csvAge !== MORPH_CSV_AGE_OFFSET) {
              itemWarnings.push(`${filename}: ${csvRel} row ${rec.row} age ${csvAge} differs from the name's age ${l.age} by ${l.age - csvAge}, not ${MORPH_CSV_AGE_OFFSET}; the name's age is kept`);
            }
            const csvGender = genderCol !== undefined && genderCol >= 0 ? (rec.values[genderCol] ?? '').trim() : '';
            if ((csvGender === '1' || csvGender === '0') && (csvGender === '1') !== (l.gender === 'male')) {
              itemWarnings.push(`${filename}: ${csvRel} row ${rec.row} gender ${csvGender} disagrees with the name (${l.gender}); the name is kept`);
            }
            if (itemWarnings.length > 0) item.warnings = itemWarnings;
            items.push(item);
          } catch (err) {
            if (err instanceof LabelError) items.push({ relPath, labelError: err.message });
            else throw err;
          }
        }
      }
      if (await isDir(imagesDir)) {
        for (const relPath of await listImageFiles(root, imagesDir, false)) {
          if (listed.has(relPath)) continue;
          listed.add(relPath);
          const baseName = relPath.slice(relPath.lastIndexOf('/') + 1);
          try {
            const l = parseMorphName(baseName);
            items.push({ relPath, labels: { age: l.age, gender: l.gender, subject: l.subject, split: s.split, originFile: relPath } });
          } catch (err) {
            if (err instanceof LabelError) items.push({ relPath, labelError: err.message });
            else throw err;
          }
        }
      }
    }
    return { items, warnings };
  },
};
