import fs from 'node:fs/promises';
import path from 'node:path';
import { LabelError, parseAge } from './labels.js';
import { MatFileError, matNumbers, matRecord, matStrings, readMatFile, type MatValue } from './mat-file.js';
import type { ImportItem, Scanner } from './types.js';
import { isDir, isFile, listImageFiles, toRel } from './walk.js';

export const CACD_FOLDER = 'CACD2000';
export const CACD_META = 'celebrity2000_meta.mat';

/** AGE_First_Last_NNNN.jpg; the name may have more parts (Jennifer_Love_Hewitt) or hyphens (Mary-Kate_Olsen). */
const NAME = /^(\d{1,3})_(.*[A-Za-z].*)_(\d{4})\.[A-Za-z]+$/;

export function looksLikeCacdName(base: string): boolean {
  return NAME.test(base);
}

export function parseCacdName(base: string): { age: number; subject: string } {
  const m = NAME.exec(base);
  if (!m) throw new LabelError(`unparseable name "${base}": expected AGE_First_Last_NNNN.jpg`);
  const age = parseAge(m[1]);
  if (age === null) throw new LabelError(`unparseable name "${base}": no age`);
  return { age, subject: m[2]! };
}

/** The images folder: PATH/CACD2000 when there is one, else PATH. */
export async function cacdBase(root: string): Promise<string> {
  const inner = path.join(root, CACD_FOLDER);
  return (await isDir(inner)) ? inner : root;
}

/** celebrity2000_meta.mat in PATH, in the images folder or beside it. */
async function findMeta(root: string, base: string): Promise<string | undefined> {
  for (const dir of new Set([root, base, path.dirname(base)])) {
    const p = path.join(dir, CACD_META);
    if (await isFile(p)) return p;
  }
  return undefined;
}

export interface CacdMeta {
  birthYear: number | null;
  rank: number | null;
  /** Year the photo was taken and the age the metadata gives (per image only). */
  year?: number;
  age?: number;
}

export interface CacdMetaTables {
  byFile: Map<string, CacdMeta>;
  byCelebrity: Map<string, CacdMeta>;
}

const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);

/**
 * Reads the per-image table (celebrityImageData: name = file name, birth, rank, year, age) and the per-celebrity one
 * (celebrityData: name = First_Last, birth, rank); either may be missing.
 */
export function readCacdMeta(buf: Buffer, label: string): CacdMetaTables {
  const vars = readMatFile(buf);
  const table = (variable: string, perImage: boolean): Map<string, CacdMeta> => {
    const v: MatValue | undefined = vars.get(variable);
    const out = new Map<string, CacdMeta>();
    if (!v) return out;
    const rec = matRecord(v, `${label}: ${variable}`);
    const names = matStrings(rec.name, `${label}: ${variable}.name`);
    const birth = rec.birth ? matNumbers(rec.birth, `${label}: ${variable}.birth`) : undefined;
    const rank = rec.rank ? matNumbers(rec.rank, `${label}: ${variable}.rank`) : undefined;
    const year = perImage && rec.year ? matNumbers(rec.year, `${label}: ${variable}.year`) : undefined;
    const age = perImage && rec.age ? matNumbers(rec.age, `${label}: ${variable}.age`) : undefined;
    names.forEach((name, i) => {
      const m: CacdMeta = { birthYear: finite(birth?.[i]), rank: finite(rank?.[i]) };
      const y = finite(year?.[i]);
      const a = finite(age?.[i]);
      if (y !== null) m.year = y;
      if (a !== null) m.age = a;
      out.set(name.trim(), m);
    });
    return out;
  };
  return { byFile: table('celebrityImageData', true), byCelebrity: table('celebrityData', false) };
}

export const cacdScanner: Scanner = {
  format: 'cacd',
  async scan(root) {
    const base = await cacdBase(root);
    const files = await listImageFiles(root, base, false);
    const warnings: string[] = [];
    const metaPath = await findMeta(root, base);
    let meta: CacdMetaTables | undefined;
    if (metaPath) {
      const label = toRel(root, metaPath);
      try {
        meta = readCacdMeta(await fs.readFile(metaPath), label);
      } catch (err) {
        if (!(err instanceof MatFileError)) throw err;
        warnings.push(`${label} cannot be read (${err.message}): imported without birth years and ranks`);
      }
    }
    let unmatched = 0;
    const items = files.map((relPath): ImportItem => {
      const baseName = relPath.slice(relPath.lastIndexOf('/') + 1);
      let labels;
      try {
        labels = parseCacdName(baseName);
      } catch (err) {
        if (err instanceof LabelError) return { relPath, labelError: err.message };
        throw err;
      }
      const item: ImportItem = { relPath, labels: { age: labels.age, gender: 'unknown', subject: labels.subject, split: null, originFile: relPath } };
      if (meta) {
        const m = meta.byFile.get(baseName) ?? meta.byCelebrity.get(labels.subject);
        if (!m) unmatched++;
        else {
          item.labels!.meta = { ...m };
          if (m.age !== undefined && m.age !== labels.age) {
            item.warnings = [`${baseName}: the metadata says age ${m.age}, the name ${labels.age}; the name's age is kept`];
          }
        }
      }
      return item;
    });
    if (meta && unmatched > 0) warnings.push(`${unmatched} images have no entry in ${toRel(root, metaPath!)}: imported without birth year and rank`);
    return { items, warnings };
  },
};
