import type { Point } from '../prep/geometry.js';
import { feather, fillPolygon, shrinkPolygon } from '../prep/masks.js';
import { LIP_POINTS, MESH_POINTS } from '../shape/mesh.js';
import { scaledPoints, shapeAt, textureAt, type AgePrototypes, type PrototypeGender } from '../shape/prototypes.js';
import { bilinear, meshWarpField, warpCropImage, type WarpField } from '../shape/warp-field.js';

/** How far past the face oval the shape change fades out, as a share of the crop side (into hair, ears and neck). */
export const SHAPE_FADE = 0.22;
/** The texture frame's own warp fades out sooner: beyond the face only hair and background are averaged. */
const TEXTURE_FRAME_FADE = 0.1;

/** The lips' outer outline, in order: whether teeth show there depends on the prototypes' smiles, not on age. */
const MOUTH: readonly number[] = [61, 185, 40, 39, 37, 0, 267, 269, 270, 409, 291, 375, 321, 405, 314, 17, 84, 181, 91, 146];

const openingMasks = new WeakMap<AgePrototypes, Float32Array>();

/** 1 - the feathered mouth (grown by a fifth), in the prototypes' mean-shape frame. */
function outsideMouth(p: AgePrototypes): Float32Array {
  let m = openingMasks.get(p);
  if (!m) {
    const poly = shrinkPolygon(MOUTH.map((i) => [p.meanShape[2 * i]!, p.meanShape[2 * i + 1]!] as Point), 1.2);
    const mask = feather(fillPolygon(poly, p.size), p.size, p.size / 64);
    m = Float32Array.from(mask, (v) => 1 - v / 255);
    openingMasks.set(p, m);
  }
  return m;
}

/** Texture ratios are taken on values raised by this floor (dark pupils and brows would make them noisy) and bounded. */
const RATIO_FLOOR = 12;
const RATIO_MAX = 2;

export interface PrototypeChange {
  /** Per target age: the warp of the face from its source-age shape towards the target's (null: no shape change). */
  readonly fields: (WarpField | null)[];
  /**
   * Per target age: the face's crop times (texture(target) / texture(source) - 1), the prototypes' relative texture
   * change (RGB 0..255 units, in the face's own unwarped geometry). Relative, so that it darkens a fair face and a dark
   * face alike.
   */
  readonly textures: (Float32Array | null)[];
}

export interface PrototypeChangeOptions {
  readonly shape: boolean;
  /** Weight of the prototype texture difference (0: none). */
  readonly texture: number;
  /**
   * The face's feathered mask (size x size, 0..255): the texture change is weighted by it. Beyond the face the
   * prototypes average hair, background and the grey padding of their crops, and their ratio there would pale the
   * photo's hair and background at the corners of the paste mask.
   */
  readonly faceMask?: Uint8Array;
  /** Per target age, a weight on the shape change (detail-change.ts shapeWeight); 1 when absent. */
  readonly shapeWeights?: readonly number[];
}

/**
 * The lips move as one piece: how open a mouth is, or how wide its smile, differs between the prototypes with the
 * expressions of the photos behind them, not with age.
 */
function rigidLips(change: Float32Array): void {
  let mx = 0;
  let my = 0;
  for (const i of LIP_POINTS) {
    mx += change[2 * i]! / LIP_POINTS.length;
    my += change[2 * i + 1]! / LIP_POINTS.length;
  }
  for (const i of LIP_POINTS) {
    change[2 * i] = mx;
    change[2 * i + 1] = my;
  }
}

/** A crop-sized RGB image resampled to another side (bilinear). */
function resample(img: Float32Array, from: number, to: number): Float32Array {
  if (from === to) return img;
  const out = new Float32Array(to * to * 3);
  const k = from / to;
  for (let y = 0; y < to; y++) {
    for (let x = 0; x < to; x++) {
      for (let c = 0; c < 3; c++) out[(y * to + x) * 3 + c] = bilinear(img, from, 3, (x + 0.5) * k - 0.5, (y + 0.5) * k - 0.5, c);
    }
  }
  return out;
}

/**
 * The age change the prototypes ask of one aligned face: only the difference between the source-age and target-age
 * prototypes is applied, so the person's own shape and skin stay theirs.
 * `landmarks` are the face's mesh points in crop px at `size`.
 */
export function prototypeChange(
  p: AgePrototypes,
  size: number,
  crop: ArrayLike<number>,
  landmarks: readonly Point[],
  gender: PrototypeGender,
  sourceAge: number,
  targets: readonly number[],
  opts: PrototypeChangeOptions,
): PrototypeChange {
  const k = size / p.size;
  const source = shapeAt(p, gender, sourceAge);
  const own = landmarks.slice(0, MESH_POINTS);
  const fields = targets.map((t, j) => {
    if (!opts.shape) return null;
    const target = shapeAt(p, gender, t);
    const change = new Float32Array(MESH_POINTS * 2);
    const weight = k * (opts.shapeWeights?.[j] ?? 1);
    for (let i = 0; i < change.length; i++) change[i] = (target[i]! - source[i]!) * weight;
    rigidLips(change);
    const moved = own.map(([x, y], i) => [x + change[2 * i]!, y + change[2 * i + 1]!] as Point);
    return meshWarpField(moved, own, { size, fade: SHAPE_FADE });
  });
  const fromSource = opts.texture > 0 ? textureAt(p, gender, sourceAge) : null;
  if (!fromSource) return { fields, textures: targets.map(() => null) };
  const frame = meshWarpField(own, scaledPoints(p.meanShape, k), { size, fade: TEXTURE_FRAME_FADE });
  const textures = targets.map((t) => {
    const target = textureAt(p, gender, t)!;
    const ratio = new Float32Array(target.length);
    const keep = outsideMouth(p);
    for (let i = 0; i < ratio.length; i++) ratio[i] = keep[(i / 3) | 0]! * (Math.min(RATIO_MAX, Math.max(1 / RATIO_MAX, (target[i]! + RATIO_FLOOR) / (fromSource[i]! + RATIO_FLOOR))) - 1);
    const own = warpCropImage(resample(ratio, p.size, size), size, 3, frame);
    const within = opts.faceMask;
    for (let i = 0; i < own.length; i++) own[i] = opts.texture * own[i]! * crop[i]! * (within ? within[(i / 3) | 0]! / 255 : 1);
    return own;
  });
  return { fields, textures };
}
