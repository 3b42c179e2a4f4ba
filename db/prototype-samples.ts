import type { Gender } from '../domain/gender.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';

export interface PrototypeSampleRow {
  /** Relative to the data directory. */
  readonly file: string;
  readonly size: number;
  /** Source px -> crop px. */
  readonly transform: [number, number, number, number, number, number];
  readonly age: number;
  readonly gender: Gender;
  /** The dataset's race code (UTKFace), or null. */
  readonly race: number | null;
  /** The detector's landmarks in source px. */
  readonly landmarks: [number, number][];
}

/**
 * Crops that can shape age prototypes: labelled with an age, landmarked by the detector, not held out for testing, and
 * accepted (or still pending when asked).
 */
export function listPrototypeSamples(db: Db, opts: { includePending: boolean }): PrototypeSampleRow[] {
  const statuses = opts.includePending ? "('accepted','pending')" : "('accepted')";
  const rows = db
    .prepare(
      `SELECT c.file, c.size, c.transform_json, i.age, i.gender, i.race, f.landmarks_json
         FROM crops c JOIN images i ON i.id = c.image_id JOIN faces f ON f.id = c.face_id
        WHERE c.status IN ${statuses} AND i.age IS NOT NULL AND i.split IN ('train', 'val') AND f.landmarks_json IS NOT NULL
        ORDER BY c.id`,
    )
    .all() as { file: string; size: number; transform_json: string; age: number; gender: PrototypeSampleRow['gender']; race: number | null; landmarks_json: string }[];
  return rows.map((r) => ({
    file: r.file,
    size: r.size,
    transform: parseJson(r.transform_json, [1, 0, 0, 0, 1, 0]),
    age: r.age,
    gender: r.gender,
    race: r.race,
    landmarks: parseJson(r.landmarks_json, []),
  }));
}
