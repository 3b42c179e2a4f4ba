import fs from 'node:fs';
import path from 'node:path';
import { makeJpeg } from '../import-fixtures.js';
import { matCell, matChar, matDouble, matStruct, writeMatFile } from './mat-writer.js';

/** MATLAB's serial date number of a calendar date. */
export function datenum(year: number, month: number, day: number): number {
  return Date.UTC(year, month - 1, day) / 86_400_000 + 719_529;
}

export interface ImdbWikiRow {
  /** full_path as the .mat lists it, e.g. '01/nm0000001_rm124825600_1899-5-10_1968.jpg'. */
  fullPath: string;
  dob: number;
  photoTaken: number;
  /** 1 male, 0 female, NaN unknown (anything else is invalid). */
  gender: number;
  faceScore: number;
  secondFaceScore: number;
  name: string;
  /** False: listed in the .mat but not written to disk. */
  onDisk?: boolean;
}

/**
 * Writes `<dir>/<part>.mat` (a 1x1 struct `part` with the release's fields, each 1xN) and a small distinct JPEG per
 * row under `dir`, plus `extraFiles` (on disk, not listed).
 */
export async function writeImdbWikiFixture(dir: string, part: 'imdb' | 'wiki', rows: readonly ImdbWikiRow[], extraFiles: readonly string[] = []): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const celebs = [...new Set(rows.map((r) => r.name))];
  const table = matStruct({
    dob: matDouble(rows.map((r) => r.dob)),
    photo_taken: matDouble(rows.map((r) => r.photoTaken), [1, rows.length], 'uint16'),
    full_path: matCell(rows.map((r) => matChar(r.fullPath))),
    gender: matDouble(rows.map((r) => r.gender)),
    name: matCell(rows.map((r) => matChar(r.name))),
    face_location: matCell(rows.map((_, i) => matDouble([10 + i, 12, 60 + i, 70]))),
    face_score: matDouble(rows.map((r) => r.faceScore)),
    second_face_score: matDouble(rows.map((r) => r.secondFaceScore)),
    celeb_names: matCell(celebs.map((c) => matChar(c))),
    celeb_id: matDouble(rows.map((r) => celebs.indexOf(r.name) + 1)),
  });
  fs.writeFileSync(path.join(dir, `${part}.mat`), writeMatFile({ [part]: table }));
  let seed = 1;
  const written = new Set<string>();
  for (const rel of [...rows.filter((r) => r.onDisk !== false).map((r) => r.fullPath), ...extraFiles]) {
    if (written.has(rel)) continue;
    written.add(rel);
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), await makeJpeg(24, 32, seed++));
  }
}

/**
 * n rows: 40 subjects, age 5 + (7i mod 80) (born 15 January, so the age is photo_taken minus the birth year),
 * gender by i mod 3 (male, female, unknown), no face on every tenth row.
 */
export function bulkImdbRows(n: number): ImdbWikiRow[] {
  return Array.from({ length: n }, (_, i) => {
    const born = 1930 + (i % 30);
    const age = 5 + ((i * 7) % 80);
    const subject = `nm${String(1_000_000 + (i % 40)).padStart(7, '0')}`;
    return {
      fullPath: `${String(i % 100).padStart(2, '0')}/${subject}_rm${100_000 + i}_${born}-1-15_${born + age}.jpg`,
      dob: datenum(born, 1, 15),
      photoTaken: born + age,
      gender: [1, 0, NaN][i % 3]!,
      faceScore: i % 10 === 0 ? -Infinity : 2 + (i % 5) / 10,
      secondFaceScore: NaN,
      name: `Person ${i % 40}`,
    };
  });
}
