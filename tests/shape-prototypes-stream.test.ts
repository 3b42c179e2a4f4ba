import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir } from '../ml/aging/model.js';
import type { Point } from '../ml/prep/geometry.js';
import { mulberry32 } from '../ml/cvae/rng.js';
import { pathToFileURL } from 'node:url';
import { fitPrototypes, type PrototypeSample } from '../ml/shape/fit-prototypes.js';
import { shapeAt } from '../ml/shape/prototypes.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { fitPrototypesInMemory } from './helpers/fit-prototypes-reference.js';
import { UTKFACE_DIR } from './helpers/shared-paths.js';
import { REPO_ROOT } from './helpers/env.js';
import { assignGroups } from '../ml/shape/texture-pass.js';

/** The built fitPrototypes: worker threads run the built texture-worker.js (npm test builds first). */
async function builtFit(): Promise<typeof fitPrototypes> {
  const mod = (await import(pathToFileURL(path.join(REPO_ROOT, 'dist/node/ml/shape/fit-prototypes.js')).href)) as { fitPrototypes: typeof fitPrototypes };
  return mod.fitPrototypes;
}

/**
 * The real UTKFace crops, with their ages, genders and races from the file names; their mesh is the shipped model's
 * prototype shape at that age and gender, moved by a seeded 1.5 px jitter per point (the crops carry no mesh of their own).
 */
function utkfaceSamples(): PrototypeSample[] {
  const shipped = readPrototypes(defaultModelDir())!;
  const rand = mulberry32(5);
  const CROP = 200;
  return fs
    .readdirSync(UTKFACE_DIR)
    .filter((f) => /^\d+_[01]_\d_/.test(f))
    .sort()
    .map((f) => {
      const [age, gender, race] = f.split('_').map(Number) as [number, number, number];
      const g = gender === 0 ? 'male' : 'female';
      const shape = shapeAt(shipped, g, age);
      const k = CROP / shipped.size;
      const landmarks: Point[] = [];
      for (let i = 0; i + 1 < shape.length; i += 2) landmarks.push([shape[i]! * k + 3 * (rand() - 0.5), shape[i + 1]! * k + 3 * (rand() - 0.5)]);
      return { age, gender: g, group: String(race), landmarks, cropSize: CROP, file: path.join(UTKFACE_DIR, f) };
    });
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('streaming prototype fit', () => {
  it('gives the prototypes the in-memory fit gave, shapes and textures, on the UTKFace crops', async () => {
    const samples = utkfaceSamples();
    expect(samples.length).toBeGreaterThan(900);
    const opts = { size: 64, textures: true };
    // Streamed from a generator that makes each sample afresh, as the catalogue's pages do.
    const streamed = await fitPrototypes(() => samples.map((s) => ({ ...s, landmarks: s.landmarks.map((p) => [p[0], p[1]] as Point) })), opts);
    const reference = await fitPrototypesInMemory(samples, opts);
    expect(streamed.crops).toBe(reference.crops);
    expect(maxDiff(streamed.meanShape, reference.meanShape)).toBeLessThan(1e-4);
    for (const g of ['male', 'female'] as const) {
      expect(streamed.weights[g].length).toBe(33);
      expect(maxDiff(streamed.weights[g], reference.weights[g])).toBeLessThan(1e-9);
      streamed.shapes[g].forEach((row, k) => expect(maxDiff(row, reference.shapes[g][k]!), `${g} shape at knot ${k}`).toBeLessThan(1e-4));
      streamed.textures![g].forEach((t, k) => expect(maxDiff(t, reference.textures![g][k]!), `${g} texture at knot ${k}`).toBeLessThanOrEqual(1));
    }
    // Not a trivial agreement: the textures differ between knots and between genders.
    expect(maxDiff(streamed.textures!.male[5]!, streamed.textures!.male[25]!)).toBeGreaterThan(20);
    expect(maxDiff(streamed.textures!.male[20]!, streamed.textures!.female[20]!)).toBeGreaterThan(10);
  }, 180_000);

  it('gives the same prototypes on two worker threads as on one, and names a crop that cannot be read', async () => {
    const samples = utkfaceSamples();
    const opts = { size: 64, textures: true };
    const fit = await builtFit();
    const one = await fit(samples, opts);
    let progress = 0;
    const two = await fit(samples, { ...opts, workers: 2, onProgress: (done) => void (progress = done) });
    expect(progress).toBe(one.crops);
    expect(two.crops).toBe(one.crops);
    for (const g of ['male', 'female'] as const) {
      two.shapes[g].forEach((row, k) => expect(maxDiff(row, one.shapes[g][k]!), `${g} shape at knot ${k}`).toBe(0));
      two.textures![g].forEach((t, k) => expect(maxDiff(t, one.textures![g][k]!), `${g} texture at knot ${k}`).toBeLessThanOrEqual(1));
    }
    const missing = path.join(UTKFACE_DIR, 'no-such-crop.png');
    const broken = samples.map((s, i) => (i === 500 ? { ...s, file: missing } : s));
    await expect(fit(broken, { ...opts, workers: 2 })).rejects.toThrow(/no-such-crop\.png/);
  }, 180_000);

  it('shares the crops out to the workers by gender and group, evenly, splitting only the groups a cut falls in', () => {
    const shares = (counts: [string, number][], workers: number): string[] =>
      [...assignGroups(new Map(counts), workers)].map(([k, w]) => `${k.replace('\u0000', ' ')}: ${w.map((s) => `${s.worker}x${s.crops}`).join(' ')}`);
    // bench:catalogue's genders (55 % male, 43 % female, 2 % unknown), no race.
    expect(shares([['male\u0000', 5500], ['female\u0000', 4300], ['unknown\u0000', 200]], 2)).toEqual(['male : 0x5000 1x500', 'female : 1x4300', 'unknown : 1x200']);
    expect(shares([['male\u00000', 600], ['female\u00000', 150], ['male\u00001', 120], ['female\u00001', 100], ['unknown\u0000', 30]], 2)).toEqual([
      'male 0: 0x500 1x100',
      'female 0: 1x150',
      'male 1: 1x120',
      'female 1: 1x100',
      'unknown : 1x30',
    ]);
    expect(shares([['a', 10], ['b', 10]], 2)).toEqual(['a: 0x10', 'b: 1x10']);
    expect(shares([['a', 10], ['b', 10]], 1)).toEqual(['a: 0x10', 'b: 0x10']);
  });
});
