import type { Point } from '../prep/geometry.js';

export type PrototypeGender = 'male' | 'female';
export const PROTOTYPE_GENDERS: readonly PrototypeGender[] = ['male', 'female'];

/** Ages at which the prototypes are stored; finer where faces change fast. Between two knots they are interpolated. */
export const PROTOTYPE_KNOTS: readonly number[] = [
  0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 12, 14, 16, 18, 20, 23, 26, 30, 35, 40, 45, 50, 55, 60, 65, 70, 75, 80, 85, 90, 95, 100,
];

/** Kernel regression over age: a Gaussian whose width grows with age (children change within a year or two). */
export const PROTOTYPE_BANDWIDTH = { min: 1.5, perYear: 0.12 } as const;

export function bandwidthAt(age: number): number {
  return Math.max(PROTOTYPE_BANDWIDTH.min, PROTOTYPE_BANDWIDTH.perYear * age);
}

/**
 * The catalogue's faces as a smooth function of age, per gender (after Rowland & Perrett 1995 and
 * Kemelmacher-Shlizerman et al. 2014): the mean face-mesh shape at each knot age, and the mean texture, every crop first
 * warped onto the overall mean shape so that the average stays sharp.
 */
export interface AgePrototypes {
  readonly version: 1;
  /** Crop side the shapes are measured in and the textures stored at. */
  readonly size: number;
  readonly knots: readonly number[];
  readonly bandwidth: { readonly min: number; readonly perYear: number };
  /** Per gender, per knot: the 468 mesh points as x0, y0, x1, y1, ... in crop px. */
  readonly shapes: Readonly<Record<PrototypeGender, readonly Float32Array[]>>;
  /** Per gender, per knot: the summed kernel weight of the crops behind it. */
  readonly weights: Readonly<Record<PrototypeGender, readonly number[]>>;
  /** The overall mean shape: the frame the textures are stored in. */
  readonly meanShape: Float32Array;
  /** Per gender, per knot: size * size * 3 mean RGB in the mean-shape frame; null when fitted without textures. */
  readonly textures: Readonly<Record<PrototypeGender, readonly Uint8Array[]>> | null;
  readonly crops: number;
  readonly builtAt: string;
}

/** Where `age` falls between knots: the two knot indices and the weight of the upper one. */
export function knotPosition(knots: readonly number[], age: number): { lo: number; hi: number; t: number } {
  if (age <= knots[0]!) return { lo: 0, hi: 0, t: 0 };
  const last = knots.length - 1;
  if (age >= knots[last]!) return { lo: last, hi: last, t: 0 };
  let hi = 1;
  while (knots[hi]! < age) hi++;
  const lo = hi - 1;
  return { lo, hi, t: (age - knots[lo]!) / (knots[hi]! - knots[lo]!) };
}

function lerpRows(rows: readonly ArrayLike<number>[], knots: readonly number[], age: number): Float32Array {
  const { lo, hi, t } = knotPosition(knots, age);
  const a = rows[lo]!;
  const b = rows[hi]!;
  const out = new Float32Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! + t * (b[i]! - a[i]!);
  return out;
}

/** The prototype mesh shape at an age (crop px, flattened x, y pairs). */
export function shapeAt(p: AgePrototypes, gender: PrototypeGender, age: number): Float32Array {
  return lerpRows(p.shapes[gender], p.knots, age);
}

/** The prototype texture at an age, RGB floats 0..255 in the mean-shape frame; null without textures. */
export function textureAt(p: AgePrototypes, gender: PrototypeGender, age: number): Float32Array | null {
  return p.textures ? lerpRows(p.textures[gender], p.knots, age) : null;
}

/** The same shape at another crop size. */
export function scaledPoints(flat: ArrayLike<number>, k: number): Point[] {
  const out: Point[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2) out.push([flat[i]! * k, flat[i + 1]! * k]);
  return out;
}
