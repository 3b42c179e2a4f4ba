import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { importDataset } from '../db/importers/run.js';
import { catalogueStats } from '../db/stats.js';
import { writeCacdImages, type CacdFile } from './helpers/cacd-fixture.js';
import { killAtFirstProgress, parseJsonLines, runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { bulkImdbRows, writeImdbWikiFixture } from './helpers/imdb-wiki-fixture.js';

const N = 300;

/** Stats of a clean, uninterrupted in-process import of the same folder. */
async function cleanStats(folder: string): Promise<ReturnType<typeof catalogueStats>> {
  const db = openCatalogue(tempDir('clean'));
  try {
    await importDataset(db, { path: folder });
    return catalogueStats(db);
  } finally {
    db.close();
  }
}

/** Starts `import`, SIGKILLs it at its first progress line, then runs it again to the end. Returns the data dir. */
async function killThenResume(folder: string, format: string): Promise<{ dataDir: string; before: number; last: Record<string, unknown> }> {
  const dataDir = tempDir(`kill-${format}`);
  const killed = await killAtFirstProgress(['import', '--data-dir', dataDir, '--json', '--batch-size', '10', '--format', format, folder]);
  expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe('SIGKILL');
  expect(parseJsonLines(killed.stdout).some((l) => 'imported' in l && !('type' in l))).toBe(false);
  const db = openCatalogue(dataDir);
  const before = db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number;
  db.close();
  const r = await runCli(['import', '--data-dir', dataDir, '--json', folder]);
  expect(r.code, r.stderr).toBe(0);
  return { dataDir, before, last: r.last };
}

describe('chronoface import: IMDB-WIKI and CACD (built CLI)', () => {
  it('resumes an IMDB-WIKI import killed with SIGKILL, to exactly the counts of an uninterrupted one', async () => {
    const folder = path.join(tempDir('imdb-bulk'), 'imdb_crop');
    const rows = bulkImdbRows(N);
    await writeImdbWikiFixture(folder, 'imdb', rows);
    const { dataDir, before, last } = await killThenResume(folder, 'imdb-wiki');
    expect(before).toBeGreaterThanOrEqual(10);
    expect(before).toBeLessThan(N);
    expect(last).toMatchObject({ format: 'imdb-wiki', imported: N - before, skipped: before, failed: 0 });

    const s = await runCli(['stats', '--data-dir', dataDir, '--json']);
    const byAge: Record<string, number> = {};
    for (const r of rows) {
      const age = r.photoTaken - Number(/_(\d{4})-1-15_/.exec(r.fullPath)![1]);
      const bin = age >= 90 ? '90+' : `${Math.floor(age / 10) * 10}-${Math.floor(age / 10) * 10 + 9}`;
      byAge[bin] = (byAge[bin] ?? 0) + 1;
    }
    expect(s.last).toMatchObject({ images: N, byGender: { male: 100, female: 100, unknown: 100 }, ageUnknown: 0, byAgeBin: byAge });
    expect(s.last).toEqual(await cleanStats(folder));
    const db = openCatalogue(dataDir);
    try {
      expect(db.prepare('SELECT COUNT(DISTINCT source_path) FROM images').pluck().get()).toBe(N);
      expect(db.prepare(`SELECT COUNT(*) FROM images WHERE flags_json = '["no-face"]'`).pluck().get()).toBe(N / 10);
      expect(db.prepare(`SELECT COUNT(*) FROM images WHERE flags_json <> '[]' AND flags_json <> '["no-face"]'`).pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(DISTINCT subject) FROM images').pluck().get()).toBe(40);
      expect(db.prepare('SELECT COUNT(*) FROM images WHERE split IS NULL').pluck().get()).toBe(0);
      expect(db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(1);
    } finally {
      db.close();
    }
  });

  it('resumes a CACD import killed with SIGKILL, to exactly the counts of an uninterrupted one', async () => {
    const root = tempDir('cacd-bulk');
    const files: CacdFile[] = Array.from({ length: N }, (_, i) => ({ age: 15 + ((i * 11) % 60), name: `Celeb_Number${i % 25}`, index: i }));
    await writeCacdImages(root, files);
    const { dataDir, before, last } = await killThenResume(root, 'cacd');
    expect(before).toBeGreaterThanOrEqual(10);
    expect(before).toBeLessThan(N);
    expect(last).toMatchObject({ format: 'cacd', imported: N - before, skipped: before, failed: 0 });
    const s = await runCli(['stats', '--data-dir', dataDir, '--json']);
    expect(s.last).toMatchObject({ images: N, byGender: { male: 0, female: 0, unknown: N } });
    expect(s.last).toEqual(await cleanStats(root));
    const db = openCatalogue(dataDir);
    try {
      expect(db.prepare('SELECT COUNT(DISTINCT source_path) FROM images').pluck().get()).toBe(N);
      expect(db.prepare('SELECT COUNT(DISTINCT subject) FROM images').pluck().get()).toBe(25);
      expect(db.prepare('SELECT COUNT(*) FROM (SELECT subject FROM images GROUP BY subject HAVING COUNT(DISTINCT split) > 1)').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('refuses an unknown --format naming the formats, and detects both layouts without one', async () => {
    const bad = await runCli(['import', '--data-dir', tempDir('cli-fmt'), '--format', 'imdb', tempDir('x')]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--format must be one of morph2, utkface, fgnet, csv, imdb-wiki, cacd, got "imdb"/);
    const root = tempDir('cacd-detect');
    await writeCacdImages(root, [{ age: 30, name: 'Ann_Lee', index: 1 }]);
    const r = await runCli(['import', '--data-dir', tempDir('cli-detect'), '--json', root]);
    expect(r.last).toMatchObject({ format: 'cacd', imported: 1, failed: 0 });
  });
});
