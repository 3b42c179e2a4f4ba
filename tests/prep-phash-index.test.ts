import { describe, expect, it } from 'vitest';
import { mulberry32 } from '../ml/cvae/rng.js';
import { PhashIndex } from '../ml/prep/phash-index.js';
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
