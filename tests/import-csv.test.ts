import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { listImages } from '../db/images.js';
import { normaliseGender } from '../db/importers/labels.js';
import { parseCsv } from '../db/importers/csv-parse.js';
import { importDataset } from '../db/importers/run.js';
import { subjectsInSeveralSplits } from '../db/splits.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { makeJpeg } from './import-fixtures.js';

describe('gender normalisation', () => {
  it('reads M/F, male/female and 0/1 with the male code given', () => {
    expect(['M', 'f', 'Male', 'FEMALE', ' m ', ''].map((g) => normaliseGender(g))).toEqual(['male', 'female', 'male', 'female', 'male', 'unknown']);
    expect(['0', '1'].map((g) => normaliseGender(g, '1'))).toEqual(['female', 'male']);
    expect(['0', '1'].map((g) => normaliseGender(g, '0'))).toEqual(['male', 'female']);
    expect(() => normaliseGender('x')).toThrow(/unrecognised gender "x"/);
  });

  it('parses quoted CSV fields, ; delimiters and CRLF', () => {
    expect(parseCsv('a;b\r\n"x;1";"say ""hi"""\r\n')).toEqual([['a', 'b'], ['x;1', 'say "hi"']]);
  });
});

describe('csv import with column mapping', () => {
  let root: string;
  beforeAll(async () => {
    root = tempDir('csv');
    fs.mkdirSync(path.join(root, 'pics/a'), { recursive: true });
    const rows = ['Photo;Years;Sex;Person;Part'];
    const sexes = ['0', '1', '0', '1', '1', '0', '1', '0', '0', '1', '1', '0'];
    for (let i = 0; i < 12; i++) {
      const rel = `pics/a/p${i}.jpg`;
      fs.writeFileSync(path.join(root, rel), await makeJpeg(20 + i, 30, i + 100));
      // Persons p0..p3, three photos each; no split column values except one row.
      rows.push(`${rel};${20 + i * 3};${sexes[i]};p${i % 4};${i === 0 ? 'test' : ''}`);
    }
    rows.push('pics/a/missing.jpg;40;1;p9;');
    rows.push('pics/a/p0.jpg;41;1;p0;');
    rows.push('pics/a/p1.jpg;;1;p1;');
    fs.writeFileSync(path.join(root, 'labels.csv'), `${rows.join('\n')}\n`);
    fs.writeFileSync(path.join(root, 'bad-age.csv'), `path,age,gender\npics/a/p1.jpg,200,M\npics/a/p2.jpg,abc,F\npics/a/p3.jpg,33,X\n`);
  });

  it('maps columns by flag, reads 0/1 genders with --male-value, and keeps subjects in one split (CLI)', async () => {
    const dataDir = tempDir('csv-data');
    const r = await runCli([
      'import', '--data-dir', dataDir, '--json', '--format', 'csv', '--csv', 'labels.csv',
      '--path-col', 'Photo', '--age-col', 'Years', '--gender-col', 'Sex', '--subject-col', 'Person', '--split-col', 'Part',
      '--male-value', '0', root,
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.last).toMatchObject({ imported: 12, failed: 1, format: 'csv' });
    expect(r.last.errors).toEqual([{ file: 'pics/a/missing.jpg', reason: expect.stringMatching(/^unreadable: ENOENT/) }]);
    expect((r.last.warnings as string[]).filter((w) => w.includes('listed again'))).toHaveLength(2);
    const db = openCatalogue(dataDir);
    try {
      const images = listImages(db);
      const byFile = new Map(images.map((i) => [i.relPath, i]));
      expect(byFile.get('pics/a/p0.jpg')).toMatchObject({ age: 20, gender: 'male', subject: 'p0', originFile: 'labels.csv', originRow: 1 });
      expect(byFile.get('pics/a/p1.jpg')).toMatchObject({ age: 23, gender: 'female', subject: 'p1', originRow: 2 });
      expect(images.filter((i) => i.gender === 'male')).toHaveLength(6);
      // p0's given test split pulls the person's other photos into test.
      expect(images.filter((i) => i.subject === 'p0').map((i) => i.split)).toEqual(['test', 'test', 'test']);
      expect(subjectsInSeveralSplits(db, images[0]!.datasetId)).toEqual([]);
    } finally {
      db.close();
    }
  });

  it('rejects a column that does not exist, naming the columns there are', async () => {
    const r = await runCli(['import', '--data-dir', tempDir('csv-bad'), '--format', 'csv', '--csv', 'labels.csv', '--path-col', 'Photo', '--age-col', 'Age', root]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/labels\.csv has no column "Age" \(--age-col\); its columns are: Photo, Years, Sex, Person, Part/);
  });

  it('records bad ages and genders per row', async () => {
    const db = openCatalogue(tempDir('csv-rows'));
    try {
      const res = await importDataset(db, { path: path.join(root, 'bad-age.csv') });
      expect(res.format).toBe('csv');
      expect(res.imported).toBe(0);
      expect(res.errors.map((e) => e.reason)).toEqual([
        'bad-age.csv row 1: age 200 is outside 0-120',
        'bad-age.csv row 2: unparseable age "abc"',
        'bad-age.csv row 3: unrecognised gender "X" (expected M/F, male/female or 0/1)',
      ]);
    } finally {
      db.close();
    }
  });
});
