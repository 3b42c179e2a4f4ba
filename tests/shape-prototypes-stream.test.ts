import { describe, expect, it } from 'vitest';
import type { Point } from '../ml/prep/geometry.js';
import { fitPrototypes } from '../ml/shape/fit-prototypes.js';
import { assignGroups } from '../ml/shape/texture-pass.js';
import { fitPrototypesInMemory } from './helpers/fit-prototypes-reference.js';
import { maxDiff, utkfaceSamples } from './helpers/utkface-prototype-samples.js';

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
