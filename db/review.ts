/** The review queue over crops: filtered, sorted pages for a virtualised grid, and single rows. */
import type { CropStatus } from '../domain/crop-status.js';
import type { Gender } from '../domain/gender.js';
import type { ReviewFilter, ReviewSort } from '../domain/review-filter.js';
import type { Split } from '../domain/split.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';
import { MISLABEL_AGE_GAP, orderSql, placeholders, REVIEW_FROM, scanFrom } from './review-sql.js';

export interface ReviewRow {
  id: number;
  imageId: number;
  datasetId: number;
  file: string;
  size: number;
  status: CropStatus;
  quality: number | null;
  flags: string[];
  age: number | null;
  gender: Gender;
  split: Split | null;
  edited: boolean;
  estAge: number | null;
  estGender: Gender | null;
  updatedAt: string;
}

interface RawRow {
  id: number;
  image_id: number;
  dataset_id: number;
  file: string;
  size: number;
  status: CropStatus;
  quality: number | null;
  flags_json: string;
  age: number | null;
  gender: Gender;
  split: Split | null;
  edited: number;
  est_age: number | null;
  est_gender: string | null;
  updated_at: string;
}

function toRow(r: RawRow): ReviewRow {
  const flags = parseJson<string[]>(r.flags_json, []);
  const estGender = r.est_gender === 'male' || r.est_gender === 'female' || r.est_gender === 'unknown' ? r.est_gender : null;
  const mislabel =
    (r.est_age !== null && r.age !== null && Math.abs(r.est_age - r.age) >= MISLABEL_AGE_GAP) ||
    (estGender !== null && estGender !== 'unknown' && r.gender !== 'unknown' && estGender !== r.gender);
  if (mislabel && !flags.includes('mislabel')) flags.push('mislabel');
  return {
    id: r.id,
    imageId: r.image_id,
    datasetId: r.dataset_id,
    file: r.file,
    size: r.size,
    status: r.status,
    quality: r.quality,
    flags,
    age: r.age,
    gender: r.gender,
    split: r.split,
    edited: r.edited !== 0,
    estAge: r.est_age,
    estGender,
    updatedAt: r.updated_at,
  };
}

const COLUMNS = `c.id, c.image_id, i.dataset_id, c.file, c.size, c.status, c.quality, c.flags_json, i.age, i.gender, i.split,
  c.edited, c.est_age, c.est_gender, c.updated_at`;

/**
 * One page of the grid: the ids of the page are found first (an index scan over crops alone when possible), then
 * only those rows are read with their image, so a deep page of 50,000 crops costs little more than the first.
 */
export function listReview(db: Db, opts: { filter?: ReviewFilter; sort?: ReviewSort; offset: number; limit: number }): { total: number; rows: ReviewRow[] } {
  const { from, where, params } = scanFrom(opts.filter, opts.sort);
  const order = orderSql(opts.sort);
  const read = db.transaction(() => {
    const total = (db.prepare(`SELECT COUNT(*) AS n ${from} ${where}`).get(...params) as { n: number }).n;
    const ids = db.prepare(`SELECT c.id ${from} ${where} ${order} LIMIT ? OFFSET ?`).pluck().all(...params, opts.limit, opts.offset) as number[];
    if (ids.length === 0) return { total, rows: [] };
    const byId = new Map(
      (db.prepare(`SELECT ${COLUMNS} ${REVIEW_FROM} WHERE c.id IN (${placeholders(ids.length)})`).all(...ids) as RawRow[]).map((r) => [r.id, r]),
    );
    return { total, rows: ids.map((id) => toRow(byId.get(id)!)) };
  });
  return read();
}

export function reviewIds(db: Db, opts: { filter?: ReviewFilter; sort?: ReviewSort } = {}): number[] {
  const { from, where, params } = scanFrom(opts.filter, opts.sort);
  return db.prepare(`SELECT c.id ${from} ${where} ${orderSql(opts.sort)}`).pluck().all(...params) as number[];
}

export function getReviewRow(db: Db, id: number): ReviewRow | undefined {
  const r = db.prepare(`SELECT ${COLUMNS} ${REVIEW_FROM} WHERE c.id = ?`).get(id) as RawRow | undefined;
  return r ? toRow(r) : undefined;
}
