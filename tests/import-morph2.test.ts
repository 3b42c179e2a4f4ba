import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { listImages } from '../db/images.js';
import { detectFormat } from '../db/importers/detect.js';
import { importDataset, type ImportResult } from '../db/importers/run.js';
import { subjectsInSeveralSplits } from '../db/splits.js';
import { tempDir } from './helpers/env.js';
import { writeMorphFixture, type MorphFixtureImage } from './import-fixtures.js';

const IMAGES: MorphFixtureImage[] = [
  { split: 'Train', filename: '00013_00M19.JPG', subject: '00013', gender: 'male', age: 19, csvAge: 3 },
  { split: 'Train', filename: '00013_01M20.JPG', subject: '00013', gender: 'male', age: 20, csvAge: 4 },
  { split: 'Train', filename: '00200_00F33.JPG', subject: '00200', gender: 'female', age: 33, csvAge: 17 },
  { split: 'Validation', filename: '01501_00M45.JPG', subject: '01501', gender: 'male', age: 45, csvAge: 29 },
  // CSV age off by 15 instead of 16: imported with the name's age, and a warning.
  { split: 'Validation', filename: '01502_02F61.JPG', subject: '01502', gender: 'female', age: 61, csvAge: 46 },
  { split: 'Test', filename: '20001_00M77.JPG', subject: '20001', gender: 'male', age: 77, csvAge: 61 },
  { split: 'Test', filename: '20002_03F16.JPG', subject: '20002', gender: 'female', age: 16, csvAge: 0 },
];

describe('MORPH-2 (Kaggle layout) import', () => {
  let root: string;
  let db: Db;
  let result: ImportResult;

  beforeAll(async () => {
    root = tempDir('morph');
    await writeMorphFixture(root, IMAGES);
    db = openCatalogue(tempDir('morph-data'));
    result = await importDataset(db, { path: root });
  });
  afterAll(() => db.close());

  it('is detected from the folder, from the root or from Dataset/', async () => {
    expect(result.format).toBe('morph2');
    expect(await detectFormat(path.join(root, 'Dataset'))).toBe('morph2');
  });

  it('takes labels from the file names and keeps the Kaggle split', () => {
    expect(result).toMatchObject({ imported: IMAGES.length, failed: 0 });
    const got = listImages(db)
      .map((i) => ({ file: path.basename(i.relPath), subject: i.subject, gender: i.gender, age: i.age, split: i.split, origin: i.originFile }))
      .sort((a, b) => a.file.localeCompare(b.file));
    const want = IMAGES.map((i) => ({
      file: i.filename,
      subject: i.subject,
      gender: i.gender,
      age: i.age,
      split: i.split === 'Train' ? 'train' : i.split === 'Validation' ? 'val' : 'test',
      origin: `Dataset/Index/${i.split}.csv`,
    })).sort((a, b) => a.file.localeCompare(b.file));
    expect(got).toEqual(want);
    expect(subjectsInSeveralSplits(db, result.dataset)).toEqual([]);
  });

  it('warns only where the CSV age is not the name age minus 16', () => {
    const ageWarnings = result.warnings.filter((w) => w.includes('differs from the name'));
    expect(ageWarnings).toHaveLength(1);
    expect(ageWarnings[0]).toMatch(/01502_02F61\.JPG: Dataset\/Index\/Validation\.csv row 2 age 46 differs from the name's age 61 by 15, not 16/);
  });

  it('records rows whose file is missing or whose name cannot be parsed, and goes on', async () => {
    const csv = path.join(root, 'Dataset/Index/Test.csv');
    fs.appendFileSync(csv, '30,1,99999_00M46.JPG,/x\n12,0,not-a-morph-name.JPG,/y\n');
    fs.writeFileSync(path.join(root, 'Dataset/Images/Test/not-a-morph-name.JPG'), fs.readFileSync(path.join(root, 'Dataset/Images/Test/20001_00M77.JPG')));
    const again = await importDataset(db, { path: root, format: 'morph2' });
    expect(again).toMatchObject({ imported: 0, skipped: IMAGES.length, failed: 2 });
    const reasons = Object.fromEntries(again.errors.map((e) => [e.file, e.reason]));
    expect(reasons['Dataset/Images/Test/99999_00M46.JPG']).toMatch(/^unreadable: ENOENT/);
    expect(reasons['Dataset/Images/Test/not-a-morph-name.JPG']).toMatch(/^unparseable name "not-a-morph-name\.JPG"/);
  });
});
