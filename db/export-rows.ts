/** The catalogue rows an export reads: crops with their image's labels and their dataset, a page at a time. */
import type { CropStatus } from '../domain/crop-status.js';
import type { DatasetFormat } from '../domain/dataset-format.js';
import type { Gender } from '../domain/gender.js';
import type { Keypoints, Point } from '../domain/keypoints.js';
import type { Split } from '../domain/split.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';

type Affine6 = [number, number, number, number, number, number];

export interface ExportFilter {
  readonly statuses: readonly CropStatus[];
  readonly datasetId?: number;
  /** Unset: every crop, with or without a split. */
  readonly splits?: readonly Split[];
}

export interface ExportRow {
  readonly cropId: number;
  /** Relative to the data directory. */
  readonly file: string;
  readonly size: number;
  readonly settings: Record<string, unknown>;
  readonly status: CropStatus;
  readonly transform: Affine6;
  readonly inverse: Affine6;
  readonly keypoints: Keypoints;
  readonly quality: number | null;
  readonly signals: Record<string, unknown>;
  readonly flags: string[];
  readonly phash: string | null;
  readonly edited: boolean;
  /** The face's 478 landmarks in source-photo pixels, when asked for and detected. */
  readonly landmarks: Point[] | null;
  readonly imageId: number;
  readonly age: number | null;
  readonly gender: Gender;
  readonly race: number | null;
  readonly subject: string | null;
  readonly split: Split | null;
  readonly sourcePath: string;
  readonly contentHash: string;
  readonly datasetId: number;
}

export interface ExportDataset {
  readonly id: number;
  readonly name: string;
  readonly format: DatasetFormat;
  readonly root: string;
}

interface RawRow {
  crop_id: number;
  file: string;
  size: number;
  settings_json: string;
  status: CropStatus;
  transform_json: string;
  inverse_json: string;
  keypoints_json: string;
  quality: number | null;
  signals_json: string;
  flags_json: string;
  phash: string | null;
  edited: number;
  landmarks_json: string | null;
  image_id: number;
  age: number | null;
  gender: Gender;
  race: number | null;
  subject: string | null;
  split: Split | null;
  source_path: string;
  content_hash: string;
  dataset_id: number;
}

/**
 * The filter as SQL. The unary + keeps SQLite from searching the review indexes by these columns (and then sorting every
 * match to find the next page): pages walk the crops' primary key, so each costs the same at any depth.
 */
function where(filter: ExportFilter): { sql: string; params: (string | number)[] } {
  const parts = [`+c.status IN (${filter.statuses.map(() => '?').join(', ')})`];
  const params: (string | number)[] = [...filter.statuses];
  if (filter.datasetId !== undefined) {
    parts.push('+i.dataset_id = ?');
    params.push(filter.datasetId);
  }
  if (filter.splits) {
    parts.push(`+i.split IN (${filter.splits.map(() => '?').join(', ')})`);
    params.push(...filter.splits);
  }
  return { sql: parts.join(' AND '), params };
}

/** How many crops match. */
export function countExportRows(db: Db, filter: ExportFilter): number {
  const w = where(filter);
  return db.prepare(`SELECT COUNT(*) FROM crops c JOIN images i ON i.id = c.image_id WHERE ${w.sql}`).pluck().get(...w.params) as number;
}

/** The query of a page: its parameters are the crop id to start after, the filter's, then the page size. */
export function exportPageQuery(filter: ExportFilter, landmarks: boolean): { sql: string; params: (string | number)[] } {
  const w = where(filter);
  return {
    sql: `SELECT c.id AS crop_id, c.file, c.size, c.settings_json, c.status, c.transform_json, c.inverse_json, c.keypoints_json,
              c.quality, c.signals_json, c.flags_json, c.phash, c.edited, ${landmarks ? 'f.landmarks_json' : 'NULL AS landmarks_json'},
              i.id AS image_id, i.age, i.gender, i.race, i.subject, i.split, i.source_path, i.content_hash, i.dataset_id
       FROM crops c JOIN images i ON i.id = c.image_id ${landmarks ? 'LEFT JOIN faces f ON f.id = c.face_id' : ''}
       WHERE c.id > ? AND ${w.sql} ORDER BY c.id LIMIT ?`,
    params: w.params,
  };
}

/** The next `limit` matching crops after crop id `after`, by crop id (keyset paging: each page costs the same). */
export function exportRowsAfter(db: Db, filter: ExportFilter, after: number, limit: number, landmarks: boolean): ExportRow[] {
  const q = exportPageQuery(filter, landmarks);
  const rows = db.prepare(q.sql).all(after, ...q.params, limit) as RawRow[];
  return rows.map((r) => ({
    cropId: r.crop_id,
    file: r.file,
    size: r.size,
    settings: parseJson(r.settings_json, {}),
    status: r.status,
    transform: parseJson(r.transform_json, [1, 0, 0, 0, 1, 0] as Affine6),
    inverse: parseJson(r.inverse_json, [1, 0, 0, 0, 1, 0] as Affine6),
    keypoints: parseJson(r.keypoints_json, {} as Keypoints),
    quality: r.quality,
    signals: parseJson(r.signals_json, {}),
    flags: parseJson(r.flags_json, []),
    phash: r.phash,
    edited: r.edited === 1,
    landmarks: r.landmarks_json ? parseJson<Point[]>(r.landmarks_json, []) : null,
    imageId: r.image_id,
    age: r.age,
    gender: r.gender,
    race: r.race,
    subject: r.subject,
    split: r.split,
    sourcePath: r.source_path,
    contentHash: r.content_hash,
    datasetId: r.dataset_id,
  }));
}

/** The datasets the matching crops come from. */
export function exportDatasets(db: Db, filter: ExportFilter): ExportDataset[] {
  const w = where(filter);
  return db
    .prepare(
      `SELECT d.id, d.name, d.format, d.root FROM datasets d WHERE EXISTS
         (SELECT 1 FROM images i JOIN crops c ON c.image_id = i.id WHERE i.dataset_id = d.id AND ${w.sql}) ORDER BY d.id`,
    )
    .all(...w.params) as ExportDataset[];
}

/** Crops the curators rejected (of the exported datasets), by reason: each flag they carry, or 'by hand' with none. */
export function rejectedByReason(db: Db, datasetId?: number): { total: number; reasons: Record<string, number> } {
  const ds = datasetId === undefined ? '' : 'AND image_dataset_id = ?';
  const params = datasetId === undefined ? [] : [datasetId];
  const total = db.prepare(`SELECT COUNT(*) FROM crops WHERE status = 'rejected' ${ds}`).pluck().get(...params) as number;
  const rows = db
    .prepare(
      `SELECT coalesce(j.value, 'by hand (no flag)') AS reason, COUNT(*) AS n
       FROM crops c LEFT JOIN json_each(c.flags_json) j WHERE c.status = 'rejected' ${ds.replace('image_dataset_id', 'c.image_dataset_id')}
       GROUP BY 1 ORDER BY n DESC`,
    )
    .all(...params) as { reason: string; n: number }[];
  return { total, reasons: Object.fromEntries(rows.map((r) => [r.reason, r.n])) };
}

/** Matching crops prepared without background removal (their background cannot be made grey or transparent). */
export function countWithoutBackgroundRemoval(db: Db, filter: ExportFilter): number {
  const w = where(filter);
  return db
    .prepare(`SELECT COUNT(*) FROM crops c JOIN images i ON i.id = c.image_id WHERE ${w.sql} AND coalesce(json_extract(c.settings_json, '$.background.enabled'), 1) = 0`)
    .pluck()
    .get(...w.params) as number;
}
