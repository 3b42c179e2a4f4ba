import fs from 'node:fs/promises';
import path from 'node:path';
import { MAX_AGE, MIN_AGE } from '../../domain/age.js';
import type { Gender } from '../../domain/gender.js';
import { MatFileError, matNumbers, matRecord, matStrings, readMatFile } from './mat-file.js';
import type { ImportItem, Scanner } from './types.js';
import { isDir, isFile, listImageFiles, toRel } from './walk.js';

/** Ages outside this range cannot be right: imported with the flag 'mislabel' (and no age when outside 0-120). */
export const IMDB_WIKI_PLAUSIBLE_AGE = { min: 0, max: 100 } as const;
const MAT_NAMES = ['imdb', 'wiki'] as const;
type Part = (typeof MAT_NAMES)[number];

/** MATLAB's serial date number of 1970-01-01 (datenum counts days from the year 0). */
const DATENUM_UNIX_EPOCH = 719_529;

/** The calendar date of a MATLAB serial date number, or null when it is not one. */
export function datenumToDate(serial: number): { year: number; month: number; day: number } | null {
  if (!Number.isFinite(serial) || serial < 1) return null;
  const d = new Date(Math.floor(serial - DATENUM_UNIX_EPOCH) * 86_400_000);
  return { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}

/** Whole years from the birth date to 1 July of the year the photo was taken (the authors' convention), or null. */
export function ageOnFirstJuly(dob: number, photoTaken: number): number | null {
  const birth = datenumToDate(dob);
  if (!birth || !Number.isFinite(photoTaken)) return null;
  return photoTaken - birth.year - (birth.month > 7 || (birth.month === 7 && birth.day > 1) ? 1 : 0);
}

/** The person id at the start of a file name: nm0000001 (IMDb) or the Wikipedia id number; null when there is none. */
export function imdbWikiSubject(fullPath: string): string | null {
  const base = fullPath.slice(fullPath.lastIndexOf('/') + 1);
  return /^(nm\d+|\d+)_/.exec(base)?.[1] ?? null;
}

/** The folder holding imdb.mat or wiki.mat (PATH itself, or its imdb_crop/ or wiki_crop/), with the file's part. */
export async function imdbWikiBase(root: string): Promise<{ base: string; part: Part; mat: string } | undefined> {
  for (const base of [root, ...MAT_NAMES.map((p) => path.join(root, `${p}_crop`))]) {
    for (const part of MAT_NAMES) {
      const mat = path.join(base, `${part}.mat`);
      if (await isFile(mat)) return { base, part, mat };
    }
  }
  return undefined;
}

function genderOf(code: number): Gender | undefined {
  if (Number.isNaN(code)) return 'unknown';
  if (code === 1) return 'male';
  if (code === 0) return 'female';
  return undefined;
}

const isoDate = (d: { year: number; month: number; day: number }): string =>
  `${String(d.year).padStart(4, '0')}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;

export const imdbWikiScanner: Scanner = {
  format: 'imdb-wiki',
  async scan(root) {
    const found = await imdbWikiBase(root);
    if (!found) throw new Error(`${root} is not an IMDB-WIKI folder: no imdb.mat or wiki.mat in it or in its imdb_crop/ or wiki_crop/`);
    const matRel = toRel(root, found.mat);
    let table;
    try {
      const vars = readMatFile(await fs.readFile(found.mat));
      const rec = matRecord(vars.get(found.part), `${matRel}: variable "${found.part}"`);
      const field = `${matRel}: ${found.part}`;
      table = {
        fullPath: matStrings(rec.full_path, `${field}.full_path`),
        dob: matNumbers(rec.dob, `${field}.dob`),
        photoTaken: matNumbers(rec.photo_taken, `${field}.photo_taken`),
        gender: matNumbers(rec.gender, `${field}.gender`),
        faceScore: matNumbers(rec.face_score, `${field}.face_score`),
        secondFaceScore: matNumbers(rec.second_face_score, `${field}.second_face_score`),
        name: rec.name ? matStrings(rec.name, `${field}.name`) : [],
      };
    } catch (err) {
      if (err instanceof MatFileError) throw new Error(`${matRel} cannot be read: ${err.message}`);
      throw err;
    }
    const n = table.fullPath.length;
    for (const [key, values] of Object.entries(table)) {
      if (key !== 'name' && values.length !== n) throw new Error(`${matRel}: ${found.part}.${key} has ${values.length} entries, full_path has ${n}`);
    }

    const warnings: string[] = [];
    const items: ImportItem[] = [];
    const listed = new Set<string>();
    const flagged = { mislabel: 0, 'no-face': 0, 'several-faces': 0 };
    let repeated = 0;
    for (let i = 0; i < n; i++) {
      const full = table.fullPath[i]!.trim();
      const where = `${matRel} entry ${i + 1}`;
      if (full === '') {
        items.push({ relPath: `${matRel}#${i + 1}`, labelError: `${where}: empty full_path` });
        continue;
      }
      const relPath = toRel(root, path.join(found.base, full));
      if (listed.has(relPath)) {
        repeated++;
        continue;
      }
      listed.add(relPath);
      const gender = genderOf(table.gender[i]!);
      if (gender === undefined) {
        items.push({ relPath, labelError: `${where}: gender ${table.gender[i]} is neither 1 (male), 0 (female) nor NaN (unknown)` });
        continue;
      }
      const dob = table.dob[i]!;
      const photoTaken = table.photoTaken[i]!;
      const computed = ageOnFirstJuly(dob, photoTaken);
      const flags: string[] = [];
      if (computed === null || computed < IMDB_WIKI_PLAUSIBLE_AGE.min || computed > IMDB_WIKI_PLAUSIBLE_AGE.max) flags.push('mislabel');
      const faceScore = table.faceScore[i]!;
      const second = table.secondFaceScore[i]!;
      if (faceScore === -Infinity) flags.push('no-face');
      if (!Number.isNaN(second)) flags.push('several-faces');
      for (const f of flags) flagged[f as keyof typeof flagged]++;
      const birth = datenumToDate(dob);
      const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
      items.push({
        relPath,
        labels: {
          age: computed !== null && computed >= MIN_AGE && computed <= MAX_AGE ? computed : null,
          gender,
          subject: imdbWikiSubject(full),
          split: null,
          originFile: matRel,
          originRow: i + 1,
          flags,
          meta: {
            dob: birth ? isoDate(birth) : null,
            photoTaken: finite(photoTaken),
            ...(computed !== null && flags.includes('mislabel') ? { computedAge: computed } : {}),
            faceScore: finite(faceScore),
            secondFaceScore: finite(second),
            ...(table.name[i] ? { name: table.name[i] } : {}),
          },
        },
      });
    }
    if (repeated > 0) warnings.push(`${matRel} lists ${repeated} paths more than once; the first entry's labels are kept`);
    const counts = Object.entries(flagged).filter(([, c]) => c > 0);
    if (counts.length > 0) {
      warnings.push(
        `${matRel}: flagged for review ${counts.map(([f, c]) => `${c} ${f}`).join(', ')} ` +
          `(mislabel: age at 1 July of photo_taken outside ${IMDB_WIKI_PLAUSIBLE_AGE.min}-${IMDB_WIKI_PLAUSIBLE_AGE.max} or no date; no-face: face_score -Inf; several-faces: a second_face_score)`,
      );
    }
    if (await isDir(found.base)) {
      const unlisted = (await listImageFiles(root, found.base)).filter((rel) => !listed.has(rel)).length;
      if (unlisted > 0) warnings.push(`${unlisted} images under ${toRel(root, found.base) || '.'} are not listed in ${matRel} and were not imported`);
    }
    return { items, warnings };
  },
};
