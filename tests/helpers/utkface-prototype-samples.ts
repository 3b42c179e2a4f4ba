import fs from 'node:fs';
import path from 'node:path';
import { defaultModelDir } from '../../ml/aging/model.js';
import { mulberry32 } from '../../ml/cvae/rng.js';
import type { Point } from '../../ml/prep/geometry.js';
import type { PrototypeSample } from '../../ml/shape/fit-prototypes.js';
import { shapeAt } from '../../ml/shape/prototypes.js';
import { readPrototypes } from '../../ml/shape/prototypes-io.js';
import { UTKFACE_DIR } from './shared-paths.js';

/**
 * The real UTKFace crops, with their ages, genders and races from the file names; their mesh is the shipped model's
 * prototype shape at that age and gender, moved by a seeded 1.5 px jitter per point (the crops carry no mesh of their own).
 */
export function utkfaceSamples(): PrototypeSample[] {
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

/** The largest absolute difference between two arrays, element by element. */
export const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};
