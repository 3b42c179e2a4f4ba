import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { listImportErrors } from '../db/import-errors.js';
import { listImages } from '../db/images.js';
import { importDataset, type ImportResult } from '../db/importers/run.js';
import { tempDir } from './helpers/env.js';
import { jpegClaiming, makeJpeg, makePngClaiming } from './import-fixtures.js';

describe('import of a folder with corrupt files', () => {
  let root: string;
  let db: Db;
  let result: ImportResult;
  const expected: Record<string, RegExp> = {};

  beforeAll(async () => {
    root = tempDir('corrupt');
    const good = await makeJpeg(40, 50, 1);
    fs.writeFileSync(path.join(root, '30_0_0_20170101000000001.jpg'), good);
    fs.writeFileSync(path.join(root, '41_1_3_20170101000000002.jpg'), await makeJpeg(64, 48, 2));
    fs.writeFileSync(path.join(root, '7_1_2_20170101000000003.png'), await makeJpeg(8, 8, 3).then((b) => b)); // JPEG bytes under .png are still an image
    const png = await sharp(await makeJpeg(64, 64, 6)).png().toBuffer();
    const truncatedPng = png.subarray(0, png.length - 40);
    const cases: [string, Buffer | null, RegExp][] = [
      ['20_0_0_20170101000000010.jpg', Buffer.alloc(0), /^zero bytes/],
      ['21_0_0_20170101000000011.jpg', Buffer.from('this is a text file, not a photo\n'), /^not an image/],
      ['22_0_0_20170101000000012.jpg', good.subarray(0, Math.floor(good.length * 0.6)), /^truncated JPEG/],
      ['23_0_0_20170101000000013.png', makePngClaiming(30000, 30000), /^over the pixel limit: header says 30000x30000/],
      ['holiday-photo.jpg', await makeJpeg(16, 16, 4), /^unparseable name "holiday-photo\.jpg"/],
      ['130_0_0_20170101000000014.jpg', await makeJpeg(16, 16, 5), /^age 130 is outside 0-120/],
      ['24_0_0_20170101000000015.jpg', null, /^unreadable: ENOENT/],
      ['25_0_0_20170101000000016.png', truncatedPng, /^truncated PNG/],
      ['26_0_0_20170101000000017.jpg', jpegClaiming(good, 60000, 60000), /^over the pixel limit: header says 60000x60000/],
    ];
    for (const [name, bytes, reason] of cases) {
      if (bytes) fs.writeFileSync(path.join(root, name), bytes);
      else fs.symlinkSync(path.join(root, 'no-such-target.jpg'), path.join(root, name));
      expected[name] = reason;
    }
    db = openCatalogue(tempDir('corrupt-data'));
    result = await importDataset(db, { path: root, format: 'utkface', batchSize: 4 });
  });
  afterAll(() => db.close());

  it('records one specific error per bad file', () => {
    expect(result.failed).toBe(Object.keys(expected).length);
    expect(result.errors.map((e) => e.file).sort()).toEqual(Object.keys(expected).sort());
    for (const e of result.errors) expect(e.reason, e.file).toMatch(expected[e.file]!);
    const stored = listImportErrors(db, result.dataset);
    expect(stored.map((e) => e.file).sort()).toEqual(Object.keys(expected).sort());
  });

  it('still imports the good files with header dimensions', () => {
    expect(result.imported).toBe(3);
    const images = listImages(db, { datasetId: result.dataset });
    const dims = Object.fromEntries(images.map((i) => [i.relPath, [i.width, i.height, i.format, i.age, i.gender]]));
    expect(dims).toEqual({
      '30_0_0_20170101000000001.jpg': [40, 50, 'jpeg', 30, 'male'],
      '41_1_3_20170101000000002.jpg': [64, 48, 'jpeg', 41, 'female'],
      '7_1_2_20170101000000003.png': [8, 8, 'jpeg', 7, 'female'],
    });
  });

  it('detects a bomb at a configurable limit and clears errors of files fixed since', async () => {
    fs.writeFileSync(path.join(root, '20_0_0_20170101000000010.jpg'), await makeJpeg(20, 20, 9));
    const again = await importDataset(db, { path: root, format: 'utkface', maxPixels: 1000 });
    expect(again.imported).toBe(1);
    // Every file is checked against the new, lower limit.
    const reasons = Object.fromEntries(again.errors.map((e) => [e.file, e.reason]));
    expect(reasons['30_0_0_20170101000000001.jpg']).toMatch(/over the pixel limit: header says 40x50 = 2000 px, limit 1000/);
    expect(listImportErrors(db, again.dataset).some((e) => e.file === '20_0_0_20170101000000010.jpg')).toBe(false);
  });
});
