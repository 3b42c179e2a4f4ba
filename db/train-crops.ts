import type { Gender } from '../domain/gender.js';
import type { Split } from '../domain/split.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';

export interface TrainCropRow {
  readonly cropId: number;
  /** Relative to the data directory. */
  readonly file: string;
  /** The preparation settings the crop was cut with. */
  readonly settings: Record<string, unknown>;
  readonly age: number | null;
  readonly gender: Gender;
  /** The dataset's race code (UTKFace), or null. */
  readonly race: number | null;
  readonly split: Split | null;
}

/** Accepted crops (and pending ones when asked) with their image's labels, by crop id. */
export function listTrainCrops(db: Db, opts: { includePending: boolean }): TrainCropRow[] {
  const statuses = opts.includePending ? "('accepted','pending')" : "('accepted')";
  const rows = db
    .prepare(
      `SELECT c.id AS crop_id, c.file, c.settings_json, i.age, i.gender, i.race, i.split
       FROM crops c JOIN images i ON i.id = c.image_id
       WHERE c.status IN ${statuses} ORDER BY c.id`,
    )
    .all() as { crop_id: number; file: string; settings_json: string; age: number | null; gender: Gender; race: number | null; split: Split | null }[];
  return rows.map((r) => ({
    cropId: r.crop_id,
    file: r.file,
    settings: parseJson(r.settings_json, {}),
    age: r.age,
    gender: r.gender,
    race: r.race,
    split: r.split,
  }));
}
