import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { CSV_LIMITS, CsvError, parseCsv } from '../db/importers/csv-parse.js';
import { importDataset } from '../db/importers/run.js';
import { pixelLimitReason } from '../domain/pixel-limit.js';
import { tempDir } from './helpers/env.js';

describe('label CSVs within limits', () => {
  it('refuses a quote left open, too many columns, a field too long and NUL bytes, naming the row', () => {
    expect(() => parseCsv('path,age\na.jpg,3\n"b.jpg,4\nc.jpg,5\n')).toThrow(new CsvError('row 3: a quoted field is never closed'));
    expect(() => parseCsv(`path,age\na.jpg${','.repeat(CSV_LIMITS.maxColumns)}\n`)).toThrow(new CsvError(`row 2: more than ${CSV_LIMITS.maxColumns} columns`));
    expect(() => parseCsv(`path,age\n${'x'.repeat(CSV_LIMITS.maxFieldChars + 1)},3\n`)).toThrow(new CsvError(`row 2: a field longer than ${CSV_LIMITS.maxFieldChars} characters`));
    expect(() => parseCsv('path,age\na.jpg\0,3\n')).toThrow(new CsvError('not a text file: it holds NUL bytes'));
    expect(parseCsv('path,age\r\n"a, b.jpg",3\r\n')).toEqual([['path', 'age'], ['a, b.jpg', '3']]);
  });

  it('an import of a broken CSV stops naming the file, and the catalogue keeps what it had', async () => {
    const db = openCatalogue(tempDir('csv-limits'));
    try {
      const root = tempDir('csv-limits-root');
      fs.writeFileSync(path.join(root, 'labels.csv'), 'path,age\n"a.jpg,3\n');
      await expect(importDataset(db, { path: root, format: 'csv' })).rejects.toThrow('labels.csv cannot be read: row 2: a quoted field is never closed');
      expect(db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });
});

describe('the pixel limit', () => {
  it('names the size and the limit, per pixel count and per side', () => {
    expect(pixelLimitReason(10_000, 10_000, 100_000_000, 30_000)).toBeNull();
    expect(pixelLimitReason(30_000, 30_000, 100_000_000, 30_000)).toBe('30000x30000 = 900000000 px, limit 100000000 px and 30000 px a side');
    expect(pixelLimitReason(40_000, 100, 100_000_000, 30_000)).toBe('40000x100 = 4000000 px, limit 100000000 px and 30000 px a side');
    expect(pixelLimitReason(20_000, 20_000, 268_402_689)).toBe('20000x20000 = 400000000 px, limit 268402689 px');
  });
});
