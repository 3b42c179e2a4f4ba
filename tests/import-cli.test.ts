import { describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { killAtFirstProgress, parseJsonLines, runCli, startCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR, UTKFACE_DIR } from './helpers/shared-data.js';

describe('chronoface import / stats (built CLI)', () => {
  it('imports UTKFace with progress lines and the specified result line, then stats counts it', async () => {
    const dataDir = tempDir('cli-utk');
    const r = await runCli(['import', '--data-dir', dataDir, '--json', UTKFACE_DIR]);
    expect(r.code, r.stderr).toBe(0);
    const progress = r.lines.filter((l) => l.type === 'progress');
    expect(progress.length).toBeGreaterThanOrEqual(2);
    expect(progress.at(-1)).toMatchObject({ done: 1000, total: 1000 });
    expect(r.last).toMatchObject({ dataset: 1, imported: 1000, skipped: 0, failed: 0, errors: [] });
    expect(Object.keys(r.last).slice(0, 5)).toEqual(['dataset', 'imported', 'skipped', 'failed', 'errors']);

    const fg = await runCli(['import', '--data-dir', dataDir, '--json', '--format', 'fgnet', FGNET_DIR]);
    expect(fg.last).toMatchObject({ dataset: 2, imported: 73, skipped: 0, failed: 0, errors: [] });

    const s = await runCli(['stats', '--data-dir', dataDir, '--json']);
    expect(s.code, s.stderr).toBe(0);
    expect(s.last).toMatchObject({
      images: 1073,
      byGender: { male: 438, female: 561, unknown: 74 },
      byStatus: { pending: 0, accepted: 0, rejected: 0, 'needs-fix': 0 },
    });
    expect(Object.keys(s.last.byAgeBin as object)).toEqual(['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+']);
    const bySplit = s.last.bySplit as Record<string, number>;
    expect(bySplit.train! + bySplit.val! + bySplit.test!).toBe(1073);

    const one = await runCli(['stats', '--data-dir', dataDir, '--json', '--dataset', '2']);
    expect(one.code, one.stderr + one.stdout).toBe(0);
    expect(one.last).toMatchObject({ images: 73, byGender: { male: 0, female: 0, unknown: 73 } });

    const again = await runCli(['import', '--data-dir', dataDir, '--json', UTKFACE_DIR]);
    expect(again.last).toMatchObject({ dataset: 1, imported: 0, skipped: 1000, failed: 0 });
  });

  it('resumes after SIGKILL with exactly the right rows', async () => {
    const dataDir = tempDir('cli-kill');
    const killed = await killAtFirstProgress(['import', '--data-dir', dataDir, '--json', '--batch-size', '20', UTKFACE_DIR]);
    expect(killed.signal, `${killed.stdout}\n${killed.stderr}`).toBe('SIGKILL');
    expect(parseJsonLines(killed.stdout).some((l) => 'imported' in l && !('type' in l))).toBe(false);

    let db = openCatalogue(dataDir);
    const before = db.prepare('SELECT COUNT(*) FROM images').pluck().get() as number;
    db.close();
    expect(before).toBeGreaterThanOrEqual(20);
    expect(before).toBeLessThan(1000);

    const r = await runCli(['import', '--data-dir', dataDir, '--json', UTKFACE_DIR]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.last).toMatchObject({ dataset: 1, imported: 1000 - before, skipped: before, failed: 0 });
    db = openCatalogue(dataDir);
    try {
      expect(db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(1000);
      expect(db.prepare('SELECT COUNT(DISTINCT source_path) FROM images').pluck().get()).toBe(1000);
      expect(db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(1);
      expect(db.prepare('SELECT gender, COUNT(*) AS n FROM images GROUP BY gender ORDER BY gender').all()).toEqual([
        { gender: 'female', n: 561 },
        { gender: 'male', n: 438 },
        { gender: 'unknown', n: 1 },
      ]);
      expect(db.prepare('SELECT COUNT(*) FROM images WHERE split IS NULL').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('survives repeated SIGKILLs at arbitrary moments', async () => {
    const dataDir = tempDir('cli-kills');
    for (const delay of [150, 350, 550, 750]) {
      const child = startCli(['import', '--data-dir', dataDir, '--json', '--batch-size', '10', FGNET_DIR]);
      const exit = new Promise((resolve) => child.on('exit', resolve));
      setTimeout(() => child.kill('SIGKILL'), delay);
      await exit;
    }
    const r = await runCli(['import', '--data-dir', dataDir, '--json', FGNET_DIR]);
    expect(r.code, r.stderr).toBe(0);
    expect((r.last.imported as number) + (r.last.skipped as number)).toBe(73);
    const db = openCatalogue(dataDir);
    try {
      expect(db.prepare('SELECT COUNT(*) FROM images').pluck().get()).toBe(73);
      expect(db.prepare(`SELECT COUNT(*) FROM faces WHERE source = 'ground-truth'`).pluck().get()).toBe(73);
      expect(db.prepare('SELECT COUNT(*) FROM datasets').pluck().get()).toBe(1);
      expect(db.prepare('SELECT COUNT(*) FROM images WHERE split IS NULL').pluck().get()).toBe(0);
    } finally {
      db.close();
    }
  });

  it('explains a folder it cannot recognise, and a missing path', async () => {
    const empty = tempDir('cli-empty');
    const r = await runCli(['import', '--data-dir', tempDir('cli-e'), '--json', empty]);
    expect(r.code).toBe(1);
    expect(String(r.last.error)).toMatch(/cannot tell the format of .*: pass --format morph2\|utkface\|fgnet\|csv/);
    const m = await runCli(['import', '--data-dir', tempDir('cli-m'), `${empty}/nope`]);
    expect(m.code).toBe(1);
    expect(m.stderr).toMatch(/nope does not exist/);
    const h = await runCli(['import', '--help']);
    expect(h.stdout).toMatch(/--male-value/);
  });
});
