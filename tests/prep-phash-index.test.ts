import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { cropHashPage } from '../db/crops.js';
import { mulberry32 } from '../ml/cvae/rng.js';
import { PhashIndex } from '../ml/prep/phash-index.js';
import { DuplicateIndex } from '../ml/prep/pipeline.js';
import { tempDir } from './helpers/env.js';
import { DUPLICATE_MAX_DISTANCE, hammingHex } from '../ml/prep/quality.js';

const rnd = mulberry32(7);
const hex = (): string => Array.from({ length: 16 }, () => Math.floor(rnd() * 16).toString(16)).join('');
/** `base` with `flips` random bits flipped (possibly the same bit twice). */
function near(base: string, flips: number): string {
  const bits = base.split('').flatMap((h) => parseInt(h, 16).toString(2).padStart(4, '0').split('').map(Number));
  for (let i = 0; i < flips; i++) bits[Math.floor(rnd() * 64)]! ^= 1;
  let out = '';
  for (let i = 0; i < 64; i += 4) out += parseInt(bits.slice(i, i + 4).join(''), 2).toString(16);
  return out;
}

/** The scan the index replaces: every hash measured, nearest first, then in insertion order. */
function scan(entries: { id: number; phash: string }[], q: string, limit: number, exceptId?: number): { id: number; distance: number }[] {
  return entries
    .filter((e) => e.id !== exceptId)
    .map((e) => ({ id: e.id, distance: hammingHex(e.phash, q) }))
    .filter((m) => m.distance <= DUPLICATE_MAX_DISTANCE)
    .sort((a, b) => a.distance - b.distance)
    .slice(0, limit);
}

describe('perceptual hash index', () => {
  it('finds exactly what a scan of every hash finds, on clustered faces as on random ones', () => {
    // Aligned faces share a layout, so real hashes crowd together: 40 clusters of 200 near variants, plus 4,000 random.
    const bases = Array.from({ length: 40 }, hex);
    const entries: { id: number; phash: string }[] = [];
    for (let i = 0; i < 8000; i++) entries.push({ id: i + 1, phash: near(bases[i % 40]!, Math.floor(rnd() * 12)) });
    for (let i = 0; i < 4000; i++) entries.push({ id: 8001 + i, phash: hex() });
    const index = new PhashIndex(DUPLICATE_MAX_DISTANCE);
    for (const e of entries) index.set(e.id, e.phash);
    expect(index.size).toBe(12_000);
    let matched = 0;
    for (let k = 0; k < 300; k++) {
      const q = k % 3 === 2 ? hex() : near(bases[k % 40]!, Math.floor(rnd() * 9));
      const expected = scan(entries, q, 8);
      expect(index.near(q, 8)).toEqual(expected);
      matched += expected.length;
    }
    expect(matched).toBeGreaterThan(1000);
  });

  it('leaves out the crop being redone, replaces a crop in its place, and ignores malformed hashes', () => {
    const index = new PhashIndex(DUPLICATE_MAX_DISTANCE);
    const a = '0123456789abcdef';
    index.set(1, a);
    index.set(2, near(a, 2));
    index.set(3, a);
    expect(index.near(a, 8).map((m) => m.id)).toEqual([1, 3, 2]);
    expect(index.near(a, 8, 1).map((m) => m.id)).toEqual([3, 2]);
    expect(index.near(a, 1)).toEqual([{ id: 1, distance: 0 }]);
    // Crop 1 is re-cut with another face: it no longer matches, and crop 3 leads.
    index.set(1, 'fedcba9876543210');
    expect(index.near(a, 8).map((m) => m.id)).toEqual([3, 2]);
    // Back to the first hash: it keeps its place ahead of crop 3 among equals.
    index.set(1, a);
    expect(index.near(a, 8).map((m) => m.id)).toEqual([1, 3, 2]);
    index.set(4, 'not a hash');
    index.set(3, 'xyz');
    expect(index.size).toBe(2);
    expect(index.near(a, 8).map((m) => m.id)).toEqual([1, 2]);
    expect(index.near('0123', 8)).toEqual([]);
  });
});

describe('duplicate index of a catalogue', () => {
  it('reads every hash a page at a time, gives way between pages, and finds a copy on the last page', async () => {
    const dataDir = tempDir('dup-pages');
    const db = openCatalogue(dataDir);
    try {
      const n = 2_500;
      // Hashes repeat (12 crops share each of some values) so that pages end in the middle of a run of equal hashes.
      const hashes = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : i % 7 === 0 ? `00000000000000${(i % 13).toString(16).padStart(2, '0')}` : hex()));
      const last = 'ffffffffffffff00';
      hashes[n - 1] = last;
      db.exec("INSERT INTO datasets (id, name, format, root) VALUES (1, 'synthetic', 'utkface', '/data/synthetic')");
      const image = db.prepare("INSERT INTO images (dataset_id, source_path, content_hash, width, height, prepare_status) VALUES (1, ?, ?, 200, 200, 'done')");
      const crop = db.prepare("INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, status, phash) VALUES (?, ?, 128, '[]', '[]', '{}', '{}', 'pending', ?)");
      db.transaction(() => {
        hashes.forEach((h, i) => {
          const imageId = Number(image.run(`p${i}.jpg`, `h${i}`).lastInsertRowid);
          crop.run(imageId, `crops/${i}.png`, h);
        });
      })();
      const expected = (db.prepare('SELECT id, phash FROM crops WHERE phash IS NOT NULL ORDER BY id').raw().all() as [number, string][]).map(([id, h]) => `${id}:${h}`);
      expect(expected).toHaveLength(hashes.filter((h) => h !== null).length);

      const seen: string[] = [];
      let after: [string, number] | null = null;
      let pages = 0;
      for (;;) {
        const page = cropHashPage(db, after, 300);
        pages++;
        for (const [id, h] of page) seen.push(`${id}:${h}`);
        if (page.length < 300) break;
        after = [page.at(-1)![1], page.at(-1)![0]];
      }
      expect(pages).toBe(Math.floor(expected.length / 300) + 1);
      expect(new Set(seen).size).toBe(seen.length);
      expect([...seen].sort()).toEqual([...expected].sort());

      // The crop with the last hash is a real picture on disk; a new crop with the same pixels and a near hash is its copy.
      const rnd2 = mulberry32(3);
      const pixels = Buffer.from(Array.from({ length: 128 * 128 * 3 }, () => Math.floor(rnd2() * 256)));
      fs.mkdirSync(path.join(dataDir, 'crops'), { recursive: true });
      await sharp(pixels, { raw: { width: 128, height: 128, channels: 3 } }).png().toFile(path.join(dataDir, `crops/${n - 1}.png`));
      let ticks = 0;
      let ticking = true;
      const tick = (): void => {
        ticks++;
        if (ticking) setImmediate(tick);
      };
      setImmediate(tick);
      const index = await DuplicateIndex.load(db, dataDir, 300);
      ticking = false;
      // Other work ran between the pages.
      expect(ticks).toBeGreaterThanOrEqual(pages - 1);
      const lastId = db.prepare('SELECT id FROM crops WHERE phash = ?').pluck().get(last) as number;
      expect(await index.find('ffffffffffffff01', pixels, 128)).toBe(lastId);
      expect(await index.find('ffffffffffffff01', pixels, 128, lastId)).toBeNull();
    } finally {
      db.close();
    }
  });
});
