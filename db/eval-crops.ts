import type { Gender } from '../domain/gender.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';

export interface EvalCropRow {
  readonly cropId: number;
  readonly imageId: number;
  readonly datasetId: number;
  /** The dataset's folder. */
  readonly root: string;
  /** Relative to `root`. */
  readonly sourcePath: string;
  readonly age: number;
  readonly gender: Gender;
  readonly subject: string | null;
  /** The image's split (train, val, test), or null when unsplit. */
  readonly split: string | null;
  /** Source px -> crop px. */
  readonly transform: [number, number, number, number, number, number];
  readonly size: number;
  /** Relative to the data directory. */
  readonly file: string;
  /** The detector's landmarks in source px, or null for a hand-placed face. */
  readonly landmarks: [number, number][] | null;
}

interface RawEvalCrop {
  crop_id: number;
  image_id: number;
  dataset_id: number;
  root: string;
  source_path: string;
  age: number;
  gender: Gender;
  subject: string | null;
  split: string | null;
  transform_json: string;
  size: number;
  file: string;
  landmarks_json: string | null;
}

const EVAL_CROP_COLUMNS = `SELECT c.id AS crop_id, i.id AS image_id, i.dataset_id, d.root, i.source_path, i.age, i.gender, i.subject, i.split,
              c.transform_json, c.size, c.file, f.landmarks_json
         FROM crops c JOIN images i ON i.id = c.image_id JOIN datasets d ON d.id = i.dataset_id
         LEFT JOIN faces f ON f.id = c.face_id`;

function toRow(r: RawEvalCrop): EvalCropRow {
  return {
    cropId: r.crop_id,
    imageId: r.image_id,
    datasetId: r.dataset_id,
    root: r.root,
    sourcePath: r.source_path,
    age: r.age,
    gender: r.gender,
    subject: r.subject,
    split: r.split,
    transform: parseJson(r.transform_json, [1, 0, 0, 0, 1, 0]),
    size: r.size,
    file: r.file,
    landmarks: parseJson(r.landmarks_json, null),
  };
}

/** Crops (not rejected) of age-labelled images in a split, by image id. */
export function listEvalCrops(db: Db, split: string): EvalCropRow[] {
  const rows = db
    .prepare(`${EVAL_CROP_COLUMNS} WHERE i.split = ? AND c.status != 'rejected' AND i.age IS NOT NULL ORDER BY i.id`)
    .all(split) as RawEvalCrop[];
  return rows.map(toRow);
}

/** Crops (not rejected) of subjects photographed at two or more ages, in any split, by subject then age. */
export function listFollowedCrops(db: Db): EvalCropRow[] {
  const rows = db
    .prepare(
      `${EVAL_CROP_COLUMNS} WHERE i.subject IS NOT NULL AND c.status != 'rejected' AND i.age IS NOT NULL
          AND (i.dataset_id, i.subject) IN (SELECT dataset_id, subject FROM images WHERE subject IS NOT NULL AND age IS NOT NULL
                                            GROUP BY dataset_id, subject HAVING COUNT(DISTINCT age) > 1)
        ORDER BY i.dataset_id, i.subject, i.age, i.id`,
    )
    .all() as RawEvalCrop[];
  return rows.map(toRow);
}
