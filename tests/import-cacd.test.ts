import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { listImages } from '../db/images.js';
import { parseCacdName } from '../db/importers/cacd.js';
import { detectFormat } from '../db/importers/detect.js';
import { importDataset, type ImportResult } from '../db/importers/run.js';
import { subjectsInSeveralSplits } from '../db/splits.js';
import { catalogueStats } from '../db/stats.js';
import { cacdMetaFile, writeCacdImages, type CacdCelebrity, type CacdFile } from './helpers/cacd-fixture.js';
import { tempDir } from './helpers/env.js';

const CELEBS: CacdCelebrity[] = [
  { name: 'Robin_Williams', birth: 1951, rank: 1 },
  { name: 'Jennifer_Love_Hewitt', birth: 1979, rank: 2 },
  { name: 'Mary-Kate_Olsen', birth: 1986, rank: 3 },
];
const IN_META: CacdFile[] = [
  { age: 53, name: 'Robin_Williams', index: 1 },
  { age: 53, name: 'Robin_Williams', index: 2 },
  { age: 60, name: 'Robin_Williams', index: 1 },
  { age: 23, name: 'Jennifer_Love_Hewitt', index: 1 },
  { age: 31, name: 'Jennifer_Love_Hewitt', index: 1, metaAge: 32 },
  { age: 14, name: 'Mary-Kate_Olsen', index: 3 },
];
const NOT_IN_META: CacdFile[] = [{ age: 40, name: 'Nobody_Known', index: 1 }];
const BAD = ['bad_name.jpg', '130_Old_Person_0001.jpg'];

describe('CACD file names', () => {
  it('give the age and the person, whatever the name looks like', () => {
    expect(parseCacdName('53_Robin_Williams_0001.jpg')).toEqual({ age: 53, subject: 'Robin_Williams' });
    expect(parseCacdName('38_Jennifer_Love_Hewitt_0012.jpg')).toEqual({ age: 38, subject: 'Jennifer_Love_Hewitt' });
    expect(parseCacdName('23_Mary-Kate_Olsen_0001.jpg')).toEqual({ age: 23, subject: 'Mary-Kate_Olsen' });
    expect(() => parseCacdName('25_0_1_20170116174525125.jpg')).toThrow('unparseable name "25_0_1_20170116174525125.jpg": expected AGE_First_Last_NNNN.jpg');
    expect(() => parseCacdName('130_Old_Person_0001.jpg')).toThrow('age 130 is outside 0-120');
  });
});

describe('CACD import (CACD2000/ with celebrity2000_meta.mat)', () => {
  let root: string;
  let db: Db;
  let result: ImportResult;

  beforeAll(async () => {
    root = tempDir('cacd');
    await writeCacdImages(root, [...IN_META, ...NOT_IN_META], BAD);
    fs.writeFileSync(path.join(root, 'celebrity2000_meta.mat'), cacdMetaFile(CELEBS, IN_META));
    db = openCatalogue(tempDir('cacd-data'));
    result = await importDataset(db, { path: root });
  });
  afterAll(() => db.close());

  it('is detected from the folder holding CACD2000/ and from CACD2000/ itself', async () => {
    expect(result.format).toBe('cacd');
    expect(await detectFormat(path.join(root, 'CACD2000'))).toBe('cacd');
  });

  it('imports the named files, explains the others, and warns where the metadata disagrees or is missing', () => {
    expect(result).toMatchObject({ imported: 7, skipped: 0, failed: 2 });
    expect(Object.fromEntries(result.errors.map((e) => [e.file, e.reason]))).toEqual({
      'CACD2000/bad_name.jpg': 'unparseable name "bad_name.jpg": expected AGE_First_Last_NNNN.jpg',
      'CACD2000/130_Old_Person_0001.jpg': 'age 130 is outside 0-120',
    });
    expect(result.warnings).toEqual([
      '1 images have no entry in celebrity2000_meta.mat: imported without birth year and rank',
      "31_Jennifer_Love_Hewitt_0001.jpg: the metadata says age 32, the name 31; the name's age is kept",
    ]);
  });

  it('takes age and subject from the name, birth year and rank from the metadata', () => {
    const got = listImages(db).map((im) => [path.basename(im.relPath), im.age, im.gender, im.subject, im.meta]);
    expect(got).toEqual([
      ['14_Mary-Kate_Olsen_0003.jpg', 14, 'unknown', 'Mary-Kate_Olsen', { birthYear: 1986, rank: 3, year: 2000, age: 14 }],
      ['23_Jennifer_Love_Hewitt_0001.jpg', 23, 'unknown', 'Jennifer_Love_Hewitt', { birthYear: 1979, rank: 2, year: 2002, age: 23 }],
      ['31_Jennifer_Love_Hewitt_0001.jpg', 31, 'unknown', 'Jennifer_Love_Hewitt', { birthYear: 1979, rank: 2, year: 2010, age: 32 }],
      ['40_Nobody_Known_0001.jpg', 40, 'unknown', 'Nobody_Known', null],
      ['53_Robin_Williams_0001.jpg', 53, 'unknown', 'Robin_Williams', { birthYear: 1951, rank: 1, year: 2004, age: 53 }],
      ['53_Robin_Williams_0002.jpg', 53, 'unknown', 'Robin_Williams', { birthYear: 1951, rank: 1, year: 2004, age: 53 }],
      ['60_Robin_Williams_0001.jpg', 60, 'unknown', 'Robin_Williams', { birthYear: 1951, rank: 1, year: 2011, age: 60 }],
    ]);
  });

  it('counts by age bin, gender and split, with no subject in two splits', () => {
    const s = catalogueStats(db, result.dataset);
    expect(s.images).toBe(7);
    expect(s.byAgeBin).toEqual({ '0-9': 0, '10-19': 1, '20-29': 1, '30-39': 1, '40-49': 1, '50-59': 2, '60-69': 1, '70-79': 0, '80-89': 0, '90+': 0 });
    expect(s.byGender).toEqual({ male: 0, female: 0, unknown: 7 });
    expect(s.bySplit).toEqual({ train: 3, val: 1, test: 3, unassigned: 0 });
    expect(subjectsInSeveralSplits(db, result.dataset)).toEqual([]);
  });

  it('adds nothing when imported again', async () => {
    const again = await importDataset(db, { path: root, format: 'cacd' });
    expect(again).toMatchObject({ imported: 0, skipped: 7, failed: 2 });
  });

  it('finds the metadata beside CACD2000/ when given CACD2000/ itself, and does without it', async () => {
    const other = openCatalogue(tempDir('cacd-inner'));
    try {
      await importDataset(other, { path: path.join(root, 'CACD2000') });
      expect(listImages(other).find((im) => im.relPath === '60_Robin_Williams_0001.jpg')?.meta).toEqual({ birthYear: 1951, rank: 1, year: 2011, age: 60 });
    } finally {
      other.close();
    }
    const bare = tempDir('cacd-bare');
    await writeCacdImages(bare, IN_META.slice(0, 2));
    const third = openCatalogue(tempDir('cacd-bare-data'));
    try {
      const r = await importDataset(third, { path: bare });
      expect(r).toMatchObject({ format: 'cacd', imported: 2, warnings: [] });
      expect(listImages(third).map((im) => im.meta)).toEqual([null, null]);
    } finally {
      third.close();
    }
  });

  it('imports without the metadata when it cannot be read, and says why', async () => {
    const dir = tempDir('cacd-badmeta');
    await writeCacdImages(dir, IN_META.slice(0, 1));
    fs.writeFileSync(path.join(dir, 'celebrity2000_meta.mat'), 'not a mat file');
    const d = openCatalogue(tempDir('cacd-badmeta-data'));
    try {
      const r = await importDataset(d, { path: dir });
      expect(r).toMatchObject({ imported: 1, warnings: ['celebrity2000_meta.mat cannot be read (not a MAT-file: 14 bytes, shorter than the 128-byte header): imported without birth years and ranks'] });
    } finally {
      d.close();
    }
  });
});
