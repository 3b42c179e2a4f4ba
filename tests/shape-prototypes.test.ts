import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Point } from '../ml/prep/geometry.js';
import { fitPrototypes, missingRanges, MIN_PER_RANGE, PrototypeDataError, type PrototypeSample } from '../ml/shape/fit-prototypes.js';
import { MESH_POINTS } from '../ml/shape/mesh.js';
import { shapeAt } from '../ml/shape/prototypes.js';
import { readPrototypes, writePrototypes } from '../ml/shape/prototypes-io.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const tempDir = tempDirsForFile();

/** A face whose width (points 234 and 454 apart) narrows from 90 px at birth to 76 px at 20, then stays. */
function face(age: number, extraWidth = 0): Point[] {
  const width = (age < 20 ? 90 - 0.7 * age : 76) + extraWidth;
  return Array.from({ length: MESH_POINTS }, (_, i) => {
    if (i === 234) return [64 - width / 2, 70] as Point;
    if (i === 454) return [64 + width / 2, 70] as Point;
    return [64 + Math.cos(i) * 20, 64 + Math.sin(i) * 20] as Point;
  });
}

function samples(perYear: number, group: (age: number, k: number) => string | null = () => null, extra: (g: string | null) => number = () => 0): PrototypeSample[] {
  const out: PrototypeSample[] = [];
  for (let age = 0; age <= 90; age++) {
    for (let k = 0; k < perYear; k++) {
      const g = group(age, k);
      out.push({ age, gender: k % 2 ? 'female' : 'male', group: g, landmarks: face(age, extra(g)), cropSize: 128, file: '' });
    }
  }
  return out;
}

const width = (flat: Float32Array): number => flat[2 * 454]! - flat[2 * 234]!;

describe('age prototypes', () => {
  it('follow the change of shape with age, per gender, smoothly between knots', async () => {
    const p = await fitPrototypes(samples(4), { size: 128, textures: false });
    expect(p.crops).toBe(91 * 4);
    expect(width(shapeAt(p, 'male', 2))).toBeCloseTo(88.6, 0);
    expect(width(shapeAt(p, 'female', 10))).toBeCloseTo(83, 0);
    expect(width(shapeAt(p, 'male', 40))).toBeCloseTo(76, 1);
    expect(width(shapeAt(p, 'female', 70))).toBeCloseTo(76, 1);
    const w11 = width(shapeAt(p, 'male', 11));
    expect(w11).toBeLessThan(width(shapeAt(p, 'male', 10)));
    expect(w11).toBeGreaterThan(width(shapeAt(p, 'male', 12)));
  });

  it('hold each race at its overall share, so that a make-up that changes with age is not read as aging', async () => {
    // Group "b" has faces 6 px wider and is found mostly among the old: an unstratified mean would widen with age.
    const group = (age: number, k: number): string => (k < (age >= 50 ? 4 : 2) ? 'b' : 'a');
    const p = await fitPrototypes(samples(6, group, (g) => (g === 'b' ? 6 : 0)), { size: 128, textures: false });
    const at30 = width(shapeAt(p, 'male', 30));
    const at70 = width(shapeAt(p, 'male', 70));
    expect(Math.abs(at70 - at30)).toBeLessThan(0.3);
  });

  it('refuse a catalogue with too few crops in a gender and age range, naming it', async () => {
    const few = samples(4).filter((s) => !(s.gender === 'female' && s.age >= 60 && s.age < 70));
    expect(missingRanges(few)).toEqual([]);
    const fewer = samples(4).filter((s) => !(s.gender === 'female' && s.age >= 60));
    expect(missingRanges(fewer)).toEqual(['female 60+: 0 crops']);
    await expect(fitPrototypes(fewer, { size: 128, textures: false })).rejects.toThrow(PrototypeDataError);
    await expect(fitPrototypes(fewer, { size: 128, textures: false })).rejects.toThrow(`at least ${MIN_PER_RANGE} per gender and age range): female 60+: 0 crops`);
  });

  it('are stored beside the model and read back', async () => {
    const p = await fitPrototypes(samples(4), { size: 128, textures: false });
    const dir = tempDir('protos-');
    writePrototypes(dir, p);
    expect(fs.existsSync(path.join(dir, 'prototypes.json'))).toBe(true);
    const back = readPrototypes(dir)!;
    expect(back.knots).toEqual(p.knots);
    expect(back.textures).toBeNull();
    expect(width(shapeAt(back, 'female', 5))).toBeCloseTo(width(shapeAt(p, 'female', 5)), 1);
    expect(readPrototypes(tempDir('none-'))).toBeNull();
  });
});
