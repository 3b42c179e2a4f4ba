import fs from 'node:fs';
import path from 'node:path';
import { makeJpeg } from '../import-fixtures.js';
import { matCell, matChar, matDouble, matStruct, writeMatFile } from './mat-writer.js';

export interface CacdCelebrity {
  /** First_Last, as in the file names. */
  name: string;
  birth: number;
  rank: number;
}

export interface CacdFile {
  age: number;
  name: string;
  index: number;
  /** Year the photo was taken, for the metadata (default birth + age). */
  year?: number;
  /** Age the metadata gives (default `age`). */
  metaAge?: number;
}

export const cacdFileName = (f: Pick<CacdFile, 'age' | 'name' | 'index'>): string => `${f.age}_${f.name}_${String(f.index).padStart(4, '0')}.jpg`;

/** Writes `<root>/CACD2000/` with one small distinct JPEG per file, and `extra` names (written as they are). */
export async function writeCacdImages(root: string, files: readonly CacdFile[], extra: readonly string[] = []): Promise<void> {
  const dir = path.join(root, 'CACD2000');
  fs.mkdirSync(dir, { recursive: true });
  let seed = 500;
  for (const name of [...files.map(cacdFileName), ...extra]) fs.writeFileSync(path.join(dir, name), await makeJpeg(24, 32, seed++));
}

/**
 * celebrity2000_meta.mat as released: celebrityData (name, identity, birth, rank, lfw; one row per celebrity) and
 * celebrityImageData (age, identity, year, rank, lfw, birth, name; one row per image), columns Nx1.
 */
export function cacdMetaFile(celebs: readonly CacdCelebrity[], files: readonly CacdFile[]): Buffer {
  const col = (values: number[]) => matDouble(values, [values.length, 1]);
  const celeb = (f: CacdFile): CacdCelebrity => celebs.find((c) => c.name === f.name)!;
  return writeMatFile({
    celebrityData: matStruct({
      name: matCell(celebs.map((c) => matChar(c.name)), [celebs.length, 1]),
      identity: col(celebs.map((_, i) => i + 1)),
      birth: col(celebs.map((c) => c.birth)),
      rank: col(celebs.map((c) => c.rank)),
      lfw: col(celebs.map(() => 0)),
    }),
    celebrityImageData: matStruct({
      age: col(files.map((f) => f.metaAge ?? f.age)),
      identity: col(files.map((f) => celebs.indexOf(celeb(f)) + 1)),
      year: col(files.map((f) => f.year ?? celeb(f).birth + f.age)),
      rank: col(files.map((f) => celeb(f).rank)),
      lfw: col(files.map(() => 0)),
      birth: col(files.map((f) => celeb(f).birth)),
      name: matCell(files.map((f) => matChar(cacdFileName(f))), [files.length, 1]),
    }),
  });
}
