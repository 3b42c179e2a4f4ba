import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { insertEditedCrop, upsertCrop } from '../db/crops.js';
import { listImages, type ImageRow } from '../db/images.js';
import { detectFormat } from '../db/importers/detect.js';
import { ageOnFirstJuly } from '../db/importers/imdb-wiki.js';
import { importDataset, type ImportResult } from '../db/importers/run.js';
import { listReview } from '../db/review.js';
import { subjectsInSeveralSplits } from '../db/splits.js';
import { catalogueStats } from '../db/stats.js';
import { CROP_KEYPOINTS, cropData } from './helpers/crop-data.js';
import { tempDir } from './helpers/env.js';
import { datenum, writeImdbWikiFixture, type ImdbWikiRow } from './helpers/imdb-wiki-fixture.js';

const row = (fullPath: string, dob: [number, number, number] | number, photoTaken: number, gender: number, more: Partial<ImdbWikiRow> = {}): ImdbWikiRow => ({
  fullPath,
  dob: typeof dob === 'number' ? dob : datenum(...dob),
  photoTaken,
  gender,
  faceScore: 2.5,
  secondFaceScore: NaN,
  name: fullPath.split('/')[1]!.split('_')[0]!,
  ...more,
});

const ROWS: ImdbWikiRow[] = [
  row('01/nm0000001_rm1_1899-5-10_1968.jpg', [1899, 5, 10], 1968, 1),
  row('01/nm0000001_rm2_1899-5-10_1930.jpg', [1899, 5, 10], 1930, 1),
  // Born 2 July: not yet 20 on 1 July 2000.
  row('02/nm0000002_rm3_1980-7-2_2000.jpg', [1980, 7, 2], 2000, 0),
  row('02/nm0000002_rm4_1980-7-2_2010.jpg', [1980, 7, 2], 2010, 0, { secondFaceScore: 2.1 }),
  // Born 1 July: 30 on 1 July 2005.
  row('03/nm0000003_rm5_1975-7-1_2005.jpg', [1975, 7, 1], 2005, NaN),
  row('03/nm0000003_rm6_1975-7-1_2012.jpg', [1975, 7, 1], 2012, NaN, { faceScore: -Infinity }),
  row('04/nm0000004_rm7_1990-1-1_1985.jpg', [1990, 1, 1], 1985, 1),
  row('05/nm0000005_rm8_1850-3-3_1960.jpg', [1850, 3, 3], 1960, 0),
  row('06/nm0000006_rm9_1800-1-1_2010.jpg', [1800, 1, 1], 2010, 1),
  row('07/nm0000007_rm10_1960-12-31_2015.jpg', [1960, 12, 31], 2015, 1, { faceScore: 3, secondFaceScore: 1.2 }),
  row('08/nm0000008_rm11_1945-6-30_2001.jpg', [1945, 6, 30], 2001, 0),
  row('09/nm0000009_rm12_1999-1-1_2010.jpg', [1999, 1, 1], 2010, 2),
  row('10/nm0000010_rm13_1970-1-1_2000.jpg', [1970, 1, 1], 2000, 1, { onDisk: false }),
  row('01/nm0000001_rm1_1899-5-10_1968.jpg', [1899, 5, 10], 1968, 0),
  row('11/nm0000011_rm14_1988-2-2_2014.jpg', NaN, 2014, 1),
  { ...row('12/nm0000012_rm16_1970-1-1_2000.jpg', [1970, 1, 1], 2000, 1, { onDisk: false }), fullPath: '' },
];
const UNLISTED = ['12/nm0000012_rm15_1970-1-1_2000.jpg'];

/** What each imported file should carry: age, gender, subject, flags. */
const WANT: Record<string, [number | null, string, string, string[]]> = {
  'rm1_': [69, 'male', 'nm0000001', []],
  'rm2_': [31, 'male', 'nm0000001', []],
  'rm3_': [19, 'female', 'nm0000002', []],
  'rm4_': [29, 'female', 'nm0000002', ['several-faces']],
  'rm5_': [30, 'unknown', 'nm0000003', []],
  'rm6_': [37, 'unknown', 'nm0000003', ['no-face']],
  'rm7_': [null, 'male', 'nm0000004', ['mislabel']],
  'rm8_': [110, 'female', 'nm0000005', ['mislabel']],
  'rm9_': [null, 'male', 'nm0000006', ['mislabel']],
  'rm10_': [54, 'male', 'nm0000007', ['several-faces']],
  'rm11_': [56, 'female', 'nm0000008', []],
  'rm14_': [null, 'male', 'nm0000011', ['mislabel']],
};

const key = (im: ImageRow): string => /_(rm\d+_)/.exec(im.relPath)![1]!;

describe('ageOnFirstJuly', () => {
  it('counts whole years to 1 July of the year the photo was taken', () => {
    expect(ageOnFirstJuly(datenum(1980, 7, 1), 2000)).toBe(20);
    expect(ageOnFirstJuly(datenum(1980, 7, 2), 2000)).toBe(19);
    expect(ageOnFirstJuly(datenum(1980, 12, 31), 1981)).toBe(0);
    expect(ageOnFirstJuly(datenum(2001, 1, 1), 2000)).toBe(-1);
    expect(ageOnFirstJuly(NaN, 2000)).toBeNull();
    expect(ageOnFirstJuly(datenum(1980, 1, 1), NaN)).toBeNull();
  });
});

describe('IMDB-WIKI import (imdb_crop/ with imdb.mat)', () => {
  let root: string;
  let db: Db;
  let result: ImportResult;
  let images: ImageRow[];

  beforeAll(async () => {
    root = tempDir('imdb');
    await writeImdbWikiFixture(path.join(root, 'imdb_crop'), 'imdb', ROWS, UNLISTED);
    db = openCatalogue(tempDir('imdb-data'));
    result = await importDataset(db, { path: root });
    images = listImages(db);
  });
  afterAll(() => db.close());

  it('is detected from the folder holding imdb_crop/ and from imdb_crop/ itself', async () => {
    expect(result.format).toBe('imdb-wiki');
    expect(await detectFormat(path.join(root, 'imdb_crop'))).toBe('imdb-wiki');
  });

  it('imports every usable row, flagged rows included, and explains the rest', () => {
    expect(result).toMatchObject({ imported: 12, skipped: 0, failed: 3 });
    const reasons = Object.fromEntries(result.errors.map((e) => [e.file, e.reason]));
    expect(Object.keys(reasons).sort()).toEqual(['imdb_crop/09/nm0000009_rm12_1999-1-1_2010.jpg', 'imdb_crop/10/nm0000010_rm13_1970-1-1_2000.jpg', 'imdb_crop/imdb.mat#16']);
    expect(reasons['imdb_crop/09/nm0000009_rm12_1999-1-1_2010.jpg']).toBe('imdb_crop/imdb.mat entry 12: gender 2 is neither 1 (male), 0 (female) nor NaN (unknown)');
    expect(reasons['imdb_crop/10/nm0000010_rm13_1970-1-1_2000.jpg']).toMatch(/^unreadable: ENOENT/);
    expect(reasons['imdb_crop/imdb.mat#16']).toBe('imdb_crop/imdb.mat entry 16: empty full_path');
    expect(result.warnings).toEqual([
      'imdb_crop/imdb.mat lists 1 paths more than once; the first entry\'s labels are kept',
      'imdb_crop/imdb.mat: flagged for review 4 mislabel, 1 no-face, 2 several-faces (mislabel: age at 1 July of photo_taken outside 0-100 or no date; no-face: face_score -Inf; several-faces: a second_face_score)',
      '1 images under imdb_crop are not listed in imdb_crop/imdb.mat and were not imported',
    ]);
  });

  it('takes age at 1 July, gender, the nm subject and the flags from the metadata', () => {
    const got = Object.fromEntries(images.map((im) => [key(im), [im.age, im.gender, im.subject, im.flags]]));
    expect(got).toEqual(WANT);
    const rm7 = images.find((im) => key(im) === 'rm7_')!;
    expect(rm7.meta).toEqual({ dob: '1990-01-01', photoTaken: 1985, computedAge: -5, faceScore: 2.5, secondFaceScore: null, name: 'nm0000004' });
    expect(rm7.originFile).toBe('imdb_crop/imdb.mat');
    expect(rm7.originRow).toBe(7);
    expect(images.find((im) => key(im) === 'rm6_')!.meta).toMatchObject({ faceScore: null });
  });

  it('counts by age bin, gender and split, with no subject in two splits', () => {
    const s = catalogueStats(db, result.dataset);
    expect(s.images).toBe(12);
    expect(s.byAgeBin).toEqual({ '0-9': 0, '10-19': 1, '20-29': 1, '30-39': 3, '40-49': 0, '50-59': 2, '60-69': 1, '70-79': 0, '80-89': 0, '90+': 1 });
    expect(s.ageUnknown).toBe(3);
    expect(s.byGender).toEqual({ male: 6, female: 4, unknown: 2 });
    expect(s.bySplit).toEqual({ train: 9, val: 2, test: 1, unassigned: 0 });
    expect(subjectsInSeveralSplits(db, result.dataset)).toEqual([]);
  });

  it('adds nothing when imported again', async () => {
    const again = await importDataset(db, { path: root, format: 'imdb-wiki' });
    expect(again).toMatchObject({ imported: 0, skipped: 12, failed: 3 });
    expect(listImages(db)).toHaveLength(12);
  });

  it('carries the import flags onto the crop, where the review filters find them', () => {
    const byKey = new Map(images.map((im) => [key(im), im.id]));
    upsertCrop(db, cropData(byKey.get('rm4_')!, { flags: ['blurry'] }));
    upsertCrop(db, cropData(byKey.get('rm8_')!));
    upsertCrop(db, cropData(byKey.get('rm1_')!, { flags: ['several-faces'] }));
    insertEditedCrop(db, { ...cropData(byKey.get('rm6_')!), manualPoints: CROP_KEYPOINTS });
    const shown = (flags: string[]) =>
      listReview(db, { filter: { flags }, sort: 'id', offset: 0, limit: 50 }).rows.map((r) => [images.find((im) => im.id === r.imageId) && key(images.find((im) => im.id === r.imageId)!), r.flags]);
    expect(shown(['several-faces'])).toEqual([
      ['rm4_', ['blurry', 'several-faces']],
      ['rm1_', ['several-faces']],
    ]);
    expect(shown(['mislabel'])).toEqual([['rm8_', ['mislabel']]]);
    expect(shown(['no-face'])).toEqual([['rm6_', ['no-face']]]);
  });
});

describe('IMDB-WIKI import (wiki_crop/ with wiki.mat)', () => {
  it('reads wiki.mat from the folder itself, with the Wikipedia id as the subject', async () => {
    const dir = path.join(tempDir('wiki'), 'wiki_crop');
    await writeImdbWikiFixture(dir, 'wiki', [
      row('17/10000217_1981-05-05_2009.jpg', [1981, 5, 5], 2009, 1),
      row('48/10000548_1925-04-04_1964.jpg', [1925, 4, 4], 1964, 0),
      row('48/10000548_1925-04-04_1970.jpg', [1925, 4, 4], 1970, 0),
    ]);
    const db = openCatalogue(tempDir('wiki-data'));
    try {
      const r = await importDataset(db, { path: dir });
      expect(r).toMatchObject({ format: 'imdb-wiki', imported: 3, failed: 0, warnings: [] });
      expect(listImages(db).map((im) => [im.relPath, im.subject, im.age, im.gender])).toEqual([
        ['17/10000217_1981-05-05_2009.jpg', '10000217', 28, 'male'],
        ['48/10000548_1925-04-04_1964.jpg', '10000548', 39, 'female'],
        ['48/10000548_1925-04-04_1970.jpg', '10000548', 45, 'female'],
      ]);
    } finally {
      db.close();
    }
  });

  it('stops with the reason when the .mat cannot be read', async () => {
    const dir = tempDir('wiki-bad');
    fs.writeFileSync(path.join(dir, 'wiki.mat'), Buffer.alloc(64));
    const db = openCatalogue(tempDir('wiki-bad-data'));
    try {
      await expect(importDataset(db, { path: dir })).rejects.toThrow('wiki.mat cannot be read: not a MAT-file: 64 bytes, shorter than the 128-byte header');
    } finally {
      db.close();
    }
  });
});
