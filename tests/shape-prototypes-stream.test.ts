import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir } from '../ml/aging/model.js';
import type { Point } from '../ml/prep/geometry.js';
import { mulberry32 } from '../ml/cvae/rng.js';
import { fitPrototypes, type PrototypeSample } from '../ml/shape/fit-prototypes.js';
import { shapeAt } from '../ml/shape/prototypes.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { fitPrototypesInMemory } from './helpers/fit-prototypes-reference.js';
import { UTKFACE_DIR } from './helpers/shared-paths.js';

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
});
