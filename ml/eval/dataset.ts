import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../db/catalogue.js';
import { listEvalCrops, listFollowedCrops, type EvalCropRow } from '../../db/eval-crops.js';
import type { Gender } from '../../domain/gender.js';
import type { Affine, Point } from '../prep/geometry.js';

export interface EvalFace {
  readonly cropId: number;
  readonly imageId: number;
  /** The original photo (absolute). */
  readonly photoPath: string;
  readonly age: number;
  readonly gender: Gender;
  /** Person id for identity pairs: the subject when known, else the image. */
  readonly person: string;
  /** The image's split (train, val, test), or null when unsplit. */
  readonly split: string | null;
  /** Source px -> crop px, for the crop's stored size. */
  readonly transform: Affine;
  readonly cropSize: number;
  readonly cropFile: string;
  readonly landmarks: Point[] | null;
}

/** Crops (not rejected) of labelled images in a split, ordered by image id, spread over the split when limited. */
export function loadEvalFaces(db: Db, dataDir: string, split: string, limit: number): EvalFace[] {
  const rows = listEvalCrops(db, split);
  const step = rows.length > limit ? rows.length / limit : 1;
  const picked = rows.length > limit ? Array.from({ length: limit }, (_, k) => rows[Math.floor(k * step)]!) : rows;
  return picked.map((r) => toEvalFace(r, dataDir));
}

/** Crops (not rejected) of people photographed at two or more ages (FG-NET's subjects), in any split, by person then age. */
export function loadFollowedFaces(db: Db, dataDir: string): EvalFace[] {
  return listFollowedCrops(db).map((r) => toEvalFace(r, dataDir));
}

function toEvalFace(r: EvalCropRow, dataDir: string): EvalFace {
  return {
    cropId: r.cropId,
    imageId: r.imageId,
    photoPath: path.resolve(r.root, r.sourcePath),
    age: r.age,
    gender: r.gender,
    person: r.subject ? `${r.datasetId}:${r.subject}` : `image:${r.imageId}`,
    split: r.split,
    transform: r.transform,
    cropSize: r.size,
    cropFile: path.resolve(dataDir, r.file),
    landmarks: r.landmarks,
  };
}

/** The stored crop as RGB at `size` (resized when the crop was prepared at another size). */
export async function readCrop(face: EvalFace, size: number): Promise<Uint8Array> {
  let img = sharp(face.cropFile).removeAlpha();
  if (face.cropSize !== size) img = img.resize(size, size, { kernel: 'lanczos3' });
  const buf = await img.raw().toBuffer();
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.length);
}

/** The transform scaled to another crop size. */
export function scaleTransform(t: Affine, k: number): Affine {
  return [t[0] * k, t[1] * k, t[2] * k, t[3] * k, t[4] * k, t[5] * k];
}
