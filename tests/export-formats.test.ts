/**
 * `chronoface export` of 125 prepared UTKFace photos (the suite's fixture) in every layout, read back by Python's
 * standard library and Pillow: every image opens, every row's labels equal the catalogue's, no subject is in two
 * splits, the csv imports again with the same labels, and the card names UTKFace's licence.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { runCli } from './helpers/cli.js';
import { readBack, type ReadBackRow } from './helpers/export-catalogue.js';
import { copyStudioFixture } from './helpers/studio-fixture.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const temp = tempDirsForFile();
const ACCEPTED = 125;

interface Source {
  age: number;
  gender: string;
  race: number | null;
  split: string;
  subject: string;
  source_path: string;
  file: string;
}

let dataDir = '';
let cleanup = (): void => {};
let outRoot = '';
const source = new Map<number, Source>();

beforeAll(() => {
  ({ dataDir, cleanup } = copyStudioFixture('export-formats'));
  outRoot = temp('export-formats-out');
  const db = openCatalogue(dataDir);
  const ids = db.prepare('SELECT id FROM crops ORDER BY id LIMIT ?').pluck().all(ACCEPTED) as number[];
  expect(ids.length).toBe(ACCEPTED);
  db.prepare(`UPDATE crops SET status = 'accepted' WHERE id IN (${ids.join(',')})`).run();
  db.prepare(`UPDATE crops SET status = 'pending' WHERE id NOT IN (${ids.join(',')})`).run();
  const rows = db
    .prepare(`SELECT c.id, c.file, i.age, i.gender, i.race, i.split, i.subject, i.content_hash, i.source_path FROM crops c JOIN images i ON i.id = c.image_id WHERE c.status = 'accepted'`)
    .all() as { id: number; file: string; age: number; gender: string; race: number | null; split: string; subject: string | null; content_hash: string; source_path: string }[];
  for (const r of rows) source.set(r.id, { age: r.age, gender: r.gender, race: r.race, split: r.split, subject: r.subject ?? `photo-${r.content_hash.slice(0, 16)}`, source_path: r.source_path, file: r.file });
  db.close();
});
afterAll(() => cleanup());

async function exportAs(name: string, args: string[]): Promise<string> {
  const outDir = path.join(outRoot, name);
  const r = await runCli(['export', outDir, ...args, '--data-dir', dataDir, '--json']);
  expect(r.code, r.stderr).toBe(0);
  expect(r.last).toMatchObject({ exported: ACCEPTED, total: ACCEPTED, skipped: 0, complete: true });
  return outDir;
}

/** Every row's labels equal the catalogue's, each crop once, and no subject in two splits. */
function expectSourceLabels(rows: ReadBackRow[], text: boolean): void {
  expect(rows.length).toBe(ACCEPTED);
  const seen = new Set<number>();
  const splitOf = new Map<string, Set<string>>();
  for (const r of rows) {
    const id = Number(r.crop_id);
    const s = source.get(id)!;
    expect(s, `crop ${id}`).toBeDefined();
    seen.add(id);
    expect({ age: Number(r.age), gender: r.gender, race: r.race === '' || r.race === undefined ? null : Number(r.race), split: r.split, subject: r.subject, source_path: r.source_path, status: r.status, dataset: r.dataset }).toEqual({
      age: s.age, gender: s.gender, race: s.race, split: s.split, subject: s.subject, source_path: s.source_path, status: 'accepted', dataset: 'utkface',
    });
    if (!text) {
      const q = r.quality as { score: number; blur: number; pose: { yaw: number }; duplicate: boolean };
      expect(typeof q.score).toBe('number');
      expect(typeof q.blur).toBe('number');
      expect(typeof q.pose.yaw).toBe('number');
      const a = r.alignment as { keypoints: Record<string, number[]>; to_source: number[] };
      expect(Object.keys(a.keypoints).sort()).toEqual(['leftEye', 'mouthLeft', 'mouthRight', 'nose', 'rightEye']);
      expect(a.to_source).toHaveLength(6);
    }
    let splits = splitOf.get(String(r.subject));
    if (!splits) splitOf.set(String(r.subject), (splits = new Set()));
    splits.add(String(r.split));
  }
  expect(seen.size).toBe(ACCEPTED);
  expect([...splitOf.values()].filter((s) => s.size > 1)).toEqual([]);
  expect(new Set(rows.map((r) => r.split))).toEqual(new Set(['train', 'val', 'test']));
}

function expectCard(outDir: string): void {
  const card = fs.readFileSync(path.join(outDir, 'README.md'), 'utf8');
  expect(card.startsWith('---\nlicense: other\nlicense_name: "UTKFace licence: non-commercial research purposes only"\n')).toBe(true);
  expect(card).toContain(`Complete: ${ACCEPTED} crops of the ${ACCEPTED} that matched the filters.`);
  expect(card).toContain('Age Progression/Regression by Conditional Adversarial Autoencoder');
  expect(card).toContain('The splits are subject-disjoint, as in the catalogue (checked at export)');
}

describe('export of 125 prepared UTKFace photos', () => {
  it('imagefolder: the crops copied as they are, a metadata.jsonl per split folder', async () => {
    const outDir = await exportAs('imagefolder', ['--format', 'imagefolder']);
    const rows = readBack(outDir, 'imagefolder');
    expectSourceLabels(rows, false);
    for (const r of rows) {
      expect(r._image).toEqual([128, 128, 'RGB']);
      expect(r._folder).toBe(r.split === 'val' ? 'validation' : r.split);
      const s = source.get(Number(r.crop_id))!;
      expect(fs.readFileSync(path.join(outDir, String(r._folder), String(r.file_name))).equals(fs.readFileSync(path.join(dataDir, s.file)))).toBe(true);
    }
    expectCard(outDir);
  });

  it('imagefolder with the background removed, as webp: transparent where preparation put grey', async () => {
    const outDir = await exportAs('imagefolder-alpha', ['--format', 'imagefolder', '--background', 'removed', '--image-format', 'webp', '--size', '64']);
    const rows = readBack(outDir, 'imagefolder');
    expectSourceLabels(rows, false);
    for (const r of rows) expect(r._image).toEqual([64, 64, 'RGBA']);
    const transparent = rows.filter((r) => (r._transparent ?? 0) > 64 * 64 * 0.05).length;
    expect(transparent).toBeGreaterThan(ACCEPTED * 0.5);
  });

  it('csv: labels.csv and images/, which chronoface import reads back with the same labels and splits', async () => {
    const outDir = await exportAs('csv', ['--format', 'csv', '--background', 'keep']);
    const rows = readBack(outDir, 'csv');
    expectSourceLabels(rows, true);
    for (const r of rows) expect(r._image).toEqual([128, 128, 'RGB']);
    expectCard(outDir);
    // The photo's own background, cut again from the source: no longer the crop as prepared (grey background).
    const first = rows[0]!;
    expect(fs.readFileSync(path.join(outDir, String(first.path))).equals(fs.readFileSync(path.join(dataDir, source.get(Number(first.crop_id))!.file)))).toBe(false);

    const again = temp('export-csv-reimport');
    const imp = await runCli(['import', outDir, '--format', 'csv', '--data-dir', again, '--json']);
    expect(imp.code, imp.stderr).toBe(0);
    expect(imp.last).toMatchObject({ imported: ACCEPTED, failed: 0 });
    const db = openCatalogue(again);
    const imported = db.prepare('SELECT source_path, age, gender, split, subject FROM images').all() as { source_path: string; age: number; gender: string; split: string; subject: string }[];
    db.close();
    const byPath = new Map(rows.map((r) => [String(r.path), source.get(Number(r.crop_id))!]));
    expect(imported.length).toBe(ACCEPTED);
    for (const im of imported) {
      const s = byPath.get(im.source_path)!;
      expect({ path: im.source_path, age: im.age, gender: im.gender, split: im.split, subject: im.subject }).toEqual({ path: im.source_path, age: s.age, gender: s.gender, split: s.split, subject: s.subject });
    }
  });

  it('webdataset: shards under --shard-size, keys without dots, the image and its .json side by side, landmarks when asked', async () => {
    const outDir = await exportAs('webdataset', ['--format', 'webdataset', '--image-format', 'jpg', '--size', '96', '--landmarks', '--shard-size', '1MB']);
    const rows = readBack(outDir, 'webdataset');
    expectSourceLabels(rows, false);
    const shards = new Set(rows.map((r) => r._shard));
    expect(shards.size).toBeGreaterThan(3);
    for (const r of rows) {
      expect(r._image).toEqual([96, 96, 'RGB']);
      expect(r._ext).toBe('jpg');
      expect(String(r._key)).toMatch(/^crop\d{9}$/);
      expect(String(r._shard)).toMatch(/^(train|validation|test)-\d{6}\.tar$/);
      expect(Number(r._shard_bytes)).toBeLessThanOrEqual(1_000_000);
      expect((r.landmarks as unknown[]).length).toBe(478);
    }
    expectCard(outDir);
  });
});
