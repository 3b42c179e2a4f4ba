import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { listImages } from '../db/images.js';
import { importDataset, type ImportResult } from '../db/importers/run.js';
import { catalogueStats } from '../db/stats.js';
import { tempDir } from './helpers/env.js';
import { UTKFACE_DIR } from './helpers/shared-data.js';
import { binOf } from './import-fixtures.js';

/** Expected labels, read straight from the file names: AGE_GENDER_... with 0 = male, 1 = female. */
function expectedFromNames(): { byGender: Record<string, number>; byAgeBin: Record<string, number>; files: string[] } {
  const files = fs.readdirSync(UTKFACE_DIR).filter((f) => f.endsWith('.jpg'));
  const byGender: Record<string, number> = { male: 0, female: 0, unknown: 0 };
  const byAgeBin: Record<string, number> = {};
  for (const f of files) {
    const [age, g] = f.split('_');
    byGender[g === '0' ? 'male' : g === '1' ? 'female' : 'unknown']!++;
    const bin = binOf(Number(age));
    byAgeBin[bin] = (byAgeBin[bin] ?? 0) + 1;
  }
  return { byGender, byAgeBin, files };
}

describe('UTKFace import', () => {
  let db: Db;
  let result: ImportResult;
  const expected = expectedFromNames();

  beforeAll(async () => {
    db = openCatalogue(tempDir('utk'));
    result = await importDataset(db, { path: UTKFACE_DIR });
  });
  afterAll(() => db.close());

  it('detects the format and imports all 1,000 images', () => {
    expect(expected.files).toHaveLength(1000);
    expect(result.format).toBe('utkface');
    expect(result).toMatchObject({ imported: 1000, skipped: 0, failed: 0, errors: [] });
  });

  it('counts genders and age bins exactly as the names say', () => {
    const s = catalogueStats(db);
    expect(s.images).toBe(1000);
    expect(s.byGender).toEqual({ female: 561, male: 438, unknown: 1 });
    expect(s.byGender).toEqual(expected.byGender);
    expect(s.byAgeBin).toEqual(expected.byAgeBin);
    expect(s.ageUnknown).toBe(0);
  });

  it('handles both malformed names', () => {
    const byName = new Map(listImages(db).map((i) => [i.relPath, i]));
    const noRace = byName.get('61_1_20170109142408075.jpg.chip.jpg')!;
    expect([noRace.age, noRace.gender, noRace.race]).toEqual([61, 'female', null]);
    const badGender = byName.get('61_3_20170109150557335.jpg.chip.jpg')!;
    expect([badGender.age, badGender.gender]).toEqual([61, 'unknown']);
    expect(result.warnings.filter((w) => w.includes('61_3_20170109150557335') && w.includes('gender code 3'))).toHaveLength(1);
  });

  it('stores absolute source paths and header sizes', () => {
    const images = listImages(db, { limit: 5 });
    for (const im of images) {
      expect(path.isAbsolute(im.sourcePath)).toBe(true);
      expect(im.sourcePath).toBe(path.join(UTKFACE_DIR, im.relPath));
      expect([im.width, im.height, im.format, im.prepareStatus]).toEqual([200, 200, 'jpeg', 'pending']);
    }
  });

  it('splits by image 80/10/10, keeping byte-identical copies together', () => {
    expect(catalogueStats(db).bySplit).toEqual({ train: 800, val: 100, test: 100, unassigned: 0 });
    const splitOf = new Map(listImages(db).map((i) => [i.relPath, i.split]));
    expect(splitOf.get('66_1_0_20170110140711170.jpg.chip.jpg')).toBe(splitOf.get('66_1_0_20170110132126931.jpg.chip.jpg'));
    expect(splitOf.get('96_1_1_20170110183853718.jpg.chip.jpg')).toBe(splitOf.get('96_1_0_20170110183855839.jpg.chip.jpg'));
  });

  it('re-importing adds nothing', async () => {
    const again = await importDataset(db, { path: UTKFACE_DIR });
    expect(again).toMatchObject({ dataset: result.dataset, imported: 0, skipped: 1000, failed: 0 });
    expect(catalogueStats(db).images).toBe(1000);
  });

  it('assigns the same splits in a fresh catalogue (fixed seed)', async () => {
    const other = openCatalogue(tempDir('utk2'));
    try {
      await importDataset(other, { path: UTKFACE_DIR, batchSize: 97 });
      const a = listImages(db).map((i) => [i.relPath, i.split]);
      const b = listImages(other).map((i) => [i.relPath, i.split]);
      expect(b).toEqual(a);
    } finally {
      other.close();
    }
  });
});
