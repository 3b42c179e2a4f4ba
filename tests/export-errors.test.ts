/**
 * `chronoface export` on bad input: a non-empty OUT_DIR, nothing matching, missing or unreadable crop files, a full
 * disk, unsafe names from the source; and a kill -9 in the middle, then the same command resuming it.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { exportCrops, ExportError } from '../workflows/export.js';
import { readJournal } from '../ml/export/journal.js';
import { runCli, startCli } from './helpers/cli.js';
import { readBack, syntheticCatalogue } from './helpers/export-catalogue.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

/** Stops the CLI right after its first journal with exported crops, so the kill lands mid-export (see the file). */
const STOP_AT_JOURNAL = fileURLToPath(new URL('./helpers/stop-at-journal.cjs', import.meta.url));

const temp = tempDirsForFile();

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)).map((f) => `${e.name}/${f}`) : [e.name]));
}

describe('export refuses', () => {
  it('a non-empty OUT_DIR, unless --force (which leaves files that are not an export\'s)', async () => {
    const dataDir = temp('exp-full-data');
    (await syntheticCatalogue(dataDir, 12)).close();
    const outDir = temp('exp-full-out');
    fs.writeFileSync(path.join(outDir, 'notes.txt'), 'mine');
    const r = await runCli(['export', outDir, '--format', 'imagefolder', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${outDir} is not empty: it holds 1 entry (notes.txt)`);
    expect(fs.readdirSync(outDir)).toEqual(['notes.txt']);

    const forced = await runCli(['export', outDir, '--format', 'imagefolder', '--force', '--data-dir', dataDir, '--json']);
    expect(forced.code).toBe(0);
    expect(forced.last.exported).toBe(12);
    expect(fs.readFileSync(path.join(outDir, 'notes.txt'), 'utf8')).toBe('mine');
    // A finished export of the same settings is not resumed: refused again.
    const again = await runCli(['export', outDir, '--format', 'imagefolder', '--data-dir', dataDir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('it holds this export, finished');
    // Other settings over an export: refused, naming why.
    const other = await runCli(['export', outDir, '--format', 'csv', '--data-dir', dataDir]);
    expect(other.stderr).toContain('it holds an export with other settings');
  });

  it('when no crop matches the filters, writing nothing', async () => {
    const dataDir = temp('exp-none-data');
    (await syntheticCatalogue(dataDir, 6)).close();
    const outDir = path.join(temp('exp-none-out'), 'out');
    const r = await runCli(['export', outDir, '--format', 'csv', '--status', 'rejected', '--data-dir', dataDir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('no crop matches: status rejected; nothing was written');
    expect(fs.existsSync(outDir)).toBe(false);
    const bad = await runCli(['export', outDir, '--format', 'tiff', '--data-dir', dataDir]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--format: format must be imagefolder, csv, webdataset, got "tiff"');
    const jpgAlpha = await runCli(['export', outDir, '--format', 'csv', '--background', 'removed', '--image-format', 'jpg', '--data-dir', dataDir]);
    expect(jpgAlpha.stderr).toContain('--background: a transparent background needs png or webp images');
  });
});

describe('export goes on', () => {
  it('past missing and unreadable crop files, listing each with its reason', async () => {
    const dataDir = temp('exp-missing-data');
    const db = await syntheticCatalogue(dataDir, 10);
    const files = db.prepare('SELECT id, file FROM crops ORDER BY id').all() as { id: number; file: string }[];
    fs.rmSync(path.join(dataDir, files[2]!.file));
    fs.rmSync(path.join(dataDir, files[5]!.file));
    fs.writeFileSync(path.join(dataDir, files[5]!.file), 'not a png');
    const outDir = path.join(temp('exp-missing-out'), 'out');
    const s = await exportCrops({ dataDir, db, outDir, choices: { format: 'webdataset' } });
    db.close();
    expect(s.complete).toBe(true);
    expect(s.exported).toBe(8);
    expect(s.skips).toEqual([
      { cropId: files[2]!.id, file: files[2]!.file, reason: 'crop file missing' },
      { cropId: files[5]!.id, file: files[5]!.file, reason: 'crop file is not a PNG image' },
    ]);
    const rows = readBack(outDir, 'webdataset');
    expect(rows.map((r) => r.crop_id).sort((a, b) => Number(a) - Number(b))).toEqual(files.filter((_, i) => i !== 2 && i !== 5).map((f) => f.id));
    const card = fs.readFileSync(path.join(outDir, 'README.md'), 'utf8');
    expect(card).toContain('(2 skipped, listed below)');
    expect(card).toContain(`crop ${files[2]!.id} (\`${files[2]!.file}\`): crop file missing`);
  });

  it('without ever using names from the source as paths', async () => {
    const dataDir = temp('exp-unsafe-data');
    const evil = ['../../escape.png', '/etc/passwd', 'a/../../b\u0007\n.png', 'C:\\x\\..\\y.png'];
    const db = await syntheticCatalogue(dataDir, 4, { image: (i) => ({ relPath: evil[i]!, subject: `../subj\u0000${i}/..` }) });
    const root = temp('exp-unsafe-out');
    for (const format of ['imagefolder', 'csv', 'webdataset'] as const) {
      const outDir = path.join(root, format);
      await exportCrops({ dataDir, db, outDir, choices: { format } });
      for (const f of walk(outDir)) expect(f).toMatch(/^[A-Za-z0-9_.\/-]+$/);
      const rows = readBack(outDir, format);
      expect(rows.map((r) => r.source_path).sort()).toEqual([...evil].sort());
      expect(new Set(rows.map((r) => r.subject)).size).toBe(4);
    }
    db.close();
    expect(walk(root).every((f) => /^(imagefolder|csv|webdataset)\//.test(f))).toBe(true);
    expect(fs.existsSync(path.join(root, '..', 'escape.png'))).toBe(false);
  });
});

describe('a full disk', () => {
  const mounts: string[] = [];
  afterAll(() => {
    for (const m of mounts) execFileSync('umount', [m]);
  });

  for (const format of ['imagefolder', 'webdataset'] as const) {
    it(`stops a ${format} export with the path and the reason; what is written stays valid and the card says incomplete`, async () => {
      const dataDir = temp(`exp-enospc-${format}-data`);
      const db = await syntheticCatalogue(dataDir, 1000, { faces: 16 });
      const mount = temp(`exp-enospc-${format}`);
      execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=8m', 'tmpfs', mount]);
      mounts.push(mount);
      const outDir = path.join(mount, 'out');
      let error: unknown;
      await exportCrops({ dataDir, db, outDir, choices: { format } }).catch((err: unknown) => (error = err));
      db.close();
      expect(error).toBeInstanceOf(ExportError);
      expect((error as ExportError).code).toBe('write-failed');
      expect((error as Error).message).toMatch(new RegExp(`^export stopped after \\d+ crops: cannot write ${outDir}/\\S+: no space left on the device \\(ENOSPC\\)`));
      const journal = readJournal(outDir)!;
      expect(journal.status).toBe('incomplete');
      expect(journal.exported).toBeGreaterThan(5);
      expect(journal.exported).toBeLessThan(1000);
      const card = fs.readFileSync(path.join(outDir, 'README.md'), 'utf8');
      expect(card).toContain(`**INCOMPLETE export** (incomplete): ${journal.exported} of 1000 crops written. It stopped on: cannot write ${outDir}/`);
      // Every row that is there is whole and its image opens.
      const rows = readBack(outDir, format);
      expect(rows.length).toBe(journal.exported);
      for (const r of rows) expect(r._image).toEqual([64, 64, 'RGB']);
    });
  }
});

describe('kill -9', () => {
  it('mid-export, then the same command resumes it: nothing finished is written again and the result is complete', async () => {
    const dataDir = temp('exp-kill-data');
    const n = 4000;
    (await syntheticCatalogue(dataDir, n, { faces: 32 })).close();
    const root = temp('exp-kill-out');
    for (const format of ['webdataset', 'imagefolder'] as const) {
      const outDir = path.join(root, format);
      const args = ['export', outDir, '--format', format, '--shard-size', '256KB', '--data-dir', dataDir, '--json'];
      const child = startCli(args, { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${STOP_AT_JOURNAL}` });
      const killed = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, signal) => resolve(signal)));
      // Killed at the first checkpoint that journaled crops, where the process stopped itself.
      for (;;) {
        const j = readJournal(outDir);
        if (j && j.exported > 0) break;
        await new Promise((r) => setTimeout(r, 5));
      }
      child.kill('SIGKILL');
      expect(await killed).toBe('SIGKILL');
      const journal = readJournal(outDir)!;
      expect(journal.status).toBe('running');
      expect(journal.exported).toBeLessThan(n);
      // What the journal calls finished: whole shards before each split's current one, image files of journaled crops.
      const finished = walk(outDir).filter((f) => {
        if (format === 'webdataset') {
          const m = /^(\w+)-(\d{6})\.tar$/.exec(f);
          return m !== null && Number(m[2]) < (journal.layout.shards?.[m[1]!] ?? 0);
        }
        const m = /crop(\d{9})\.png$/.exec(f);
        return m !== null && Number(m[1]) <= journal.lastCropId;
      });
      expect(finished.length).toBeGreaterThan(format === 'webdataset' ? 3 : 100);
      const before = new Map(finished.map((f) => [f, fs.statSync(path.join(outDir, f))]));

      const resumed = await runCli(args);
      expect(resumed.code).toBe(0);
      expect(resumed.last).toMatchObject({ resumed: true, complete: true, exported: n, skipped: 0 });
      for (const [f, st] of before) {
        const now = fs.statSync(path.join(outDir, f));
        expect({ f, ino: now.ino, mtime: now.mtimeMs }).toEqual({ f, ino: st.ino, mtime: st.mtimeMs });
      }
      expect(walk(outDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
      const rows = readBack(outDir, format);
      const ids = rows.map((r) => Number(r.crop_id)).sort((a, b) => a - b);
      expect(ids.length).toBe(n);
      expect(new Set(ids).size).toBe(n);
      if (format === 'webdataset') for (const r of rows) expect(Number(r._shard_bytes)).toBeLessThanOrEqual(256 * 1024);
      expect(fs.readFileSync(path.join(outDir, 'README.md'), 'utf8')).toContain(`Complete: ${n} crops of the ${n} that matched the filters.`);
    }
  });

  it('a cancelled export keeps what it wrote, and the same export resumes it', async () => {
    const dataDir = temp('exp-cancel-data');
    const db = await syntheticCatalogue(dataDir, 600);
    const root = temp('exp-cancel-out');
    for (const format of ['webdataset', 'imagefolder', 'csv'] as const) {
      const outDir = path.join(root, format);
      const controller = new AbortController();
      const first = await exportCrops({ dataDir, db, outDir, choices: { format }, signal: controller.signal, onProgress: (p) => p.done >= 300 && controller.abort() });
      expect(first).toMatchObject({ cancelled: true, complete: false, exported: 300 });
      expect(readJournal(outDir)!.status).toBe('cancelled');
      expect(readBack(outDir, format).length).toBe(300);
      const second = await exportCrops({ dataDir, db, outDir, choices: { format } });
      expect(second).toMatchObject({ resumed: true, complete: true, exported: 600 });
      const ids = readBack(outDir, format).map((r) => Number(r.crop_id));
      expect(new Set(ids).size).toBe(600);
      expect(ids.length).toBe(600);
    }
    db.close();
  });
});
