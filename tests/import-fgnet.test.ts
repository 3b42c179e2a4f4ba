import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { getGroundTruthLandmarks } from '../db/ground-truth.js';
import { listImages } from '../db/images.js';
import { importDataset, type ImportResult } from '../db/importers/run.js';
import { subjectsInSeveralSplits } from '../db/splits.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';

describe('FG-NET import', () => {
  let db: Db;
  let result: ImportResult;

  beforeAll(async () => {
    db = openCatalogue(tempDir('fgnet'));
    result = await importDataset(db, { path: FGNET_DIR });
  });
  afterAll(() => db.close());

  it('imports 73 images of 6 subjects with subject and age from the name', () => {
    expect(result).toMatchObject({ format: 'fgnet', imported: 73, failed: 0 });
    const images = listImages(db);
    expect(images).toHaveLength(73);
    expect([...new Set(images.map((i) => i.subject))].sort()).toEqual(['005', '006', '024', '053', '065', '082']);
    const byName = new Map(images.map((i) => [path.basename(i.relPath), i]));
    expect(byName.get('053A11.JPG')).toMatchObject({ subject: '053', age: 11, gender: 'unknown' });
    expect(byName.get('065A07b.JPG')).toMatchObject({ subject: '065', age: 7 });
    expect(Math.min(...images.map((i) => i.age!))).toBe(0);
    expect(Math.max(...images.map((i) => i.age!))).toBe(69);
  });

  it('stores the 68 ground-truth points of every image, as in its .pts file', () => {
    for (const im of listImages(db)) {
      const pts = getGroundTruthLandmarks(db, im.id);
      expect(pts, im.relPath).toHaveLength(68);
      for (const [x, y] of pts!) {
        expect(x).toBeGreaterThanOrEqual(0);
        expect(x).toBeLessThanOrEqual(im.width);
        expect(y).toBeGreaterThanOrEqual(0);
        expect(y).toBeLessThanOrEqual(im.height);
      }
    }
    const im = listImages(db).find((i) => i.relPath === 'images/065A07a.JPG')!;
    const lines = fs.readFileSync(path.join(FGNET_DIR, 'points/065a07a.pts'), 'utf8').split(/\r?\n/);
    const first = lines[lines.indexOf('{') + 1]!.trim().split(/\s+/).map(Number);
    expect(getGroundTruthLandmarks(db, im.id)![0]).toEqual(first);
    const row = db.prepare(`SELECT source, idx, is_primary FROM faces WHERE image_id = ?`).all(im.id);
    expect(row).toEqual([{ source: 'ground-truth', idx: 0, is_primary: 0 }]);
  });

  it('splits by subject: no person in two splits, and every split used', () => {
    expect(subjectsInSeveralSplits(db, result.dataset)).toEqual([]);
    const splits = new Set(listImages(db).map((i) => i.split));
    expect([...splits].sort()).toEqual(['test', 'train', 'val']);
  });

  it('re-importing adds no images and no second set of points', async () => {
    const again = await importDataset(db, { path: FGNET_DIR });
    expect(again).toMatchObject({ imported: 0, skipped: 73, failed: 0 });
    expect(db.prepare(`SELECT COUNT(*) FROM faces WHERE source = 'ground-truth'`).pluck().get()).toBe(73);
  });
});
