import path from 'node:path';
import sharp from 'sharp';
import type { Db } from '../../db/catalogue.js';
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
  /** Source px -> crop px, for the crop's stored size. */
  readonly transform: Affine;
  readonly cropSize: number;
  readonly cropFile: string;
  readonly landmarks: Point[] | null;
}

interface Row {
  crop_id: number;
  image_id: number;
  root: string;
  source_path: string;
  age: number;
  gender: Gender;
  subject: string | null;
  dataset_id: number;
  transform_json: string;
  size: number;
  file: string;
  landmarks_json: string | null;
}

const FACE_COLUMNS = `SELECT c.id AS crop_id, i.id AS image_id, d.root, i.source_path, i.age, i.gender, i.subject, i.dataset_id,
              c.transform_json, c.size, c.file, f.landmarks_json
         FROM crops c JOIN images i ON i.id = c.image_id JOIN datasets d ON d.id = i.dataset_id
         LEFT JOIN faces f ON f.id = c.face_id`;

/** Crops (not rejected) of labelled images in a split, ordered by image id, spread over the split when limited. */
export function loadEvalFaces(db: Db, dataDir: string, split: string, limit: number): EvalFace[] {
  const rows = db.prepare(`${FACE_COLUMNS} WHERE i.split = ? AND c.status != 'rejected' AND i.age IS NOT NULL ORDER BY i.id`).all(split) as Row[];
  const step = rows.length > limit ? rows.length / limit : 1;
  const picked = rows.length > limit ? Array.from({ length: limit }, (_, k) => rows[Math.floor(k * step)]!) : rows;
  return picked.map((r) => toEvalFace(r, dataDir));
}

/** Crops (not rejected) of people photographed at two or more ages (FG-NET's subjects), in any split, by person then age. */
export function loadFollowedFaces(db: Db, dataDir: string): EvalFace[] {
  const rows = db
    .prepare(
      `${FACE_COLUMNS} WHERE i.subject IS NOT NULL AND c.status != 'rejected' AND i.age IS NOT NULL
          AND (i.dataset_id, i.subject) IN (SELECT dataset_id, subject FROM images WHERE subject IS NOT NULL AND age IS NOT NULL
                                            GROUP BY dataset_id, subject HAVING COUNT(DISTINCT age) > 1)
        ORDER BY i.dataset_id, i.subject, i.age, i.id`,
    )
    .all() as Row[];
  return rows.map((r) => toEvalFace(r, dataDir));
}

function toEvalFace(r: Row, dataDir: string): EvalFace {
  return {
    cropId: r.crop_id,
    imageId: r.image_id,
    photoPath: path.resolve(r.root, r.source_path),
    age: r.age,
    gender: r.gender,
    person: r.subject ? `${r.dataset_id}:${r.subject}` : `image:${r.image_id}`,
    transform: JSON.parse(r.transform_json) as Affine,
    cropSize: r.size,
    cropFile: path.resolve(dataDir, r.file),
    landmarks: r.landmarks_json ? (JSON.parse(r.landmarks_json) as Point[]) : null,
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
