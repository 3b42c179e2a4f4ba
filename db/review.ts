/** The review queue over crops: filtered, sorted pages for a virtualised grid, and single rows. */
import type { CropStatus } from '../domain/crop-status.js';
import type { Gender } from '../domain/gender.js';
import type { ReviewFilter, ReviewSort } from '../domain/review-filter.js';
import type { Split } from '../domain/split.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';
import { FLAG_BITS, filterSql, orderSql, pageIdsSql, placeholders, REVIEW_FROM } from './review-sql.js';

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
  review_flags: number;
  updated_at: string;
}

function toRow(r: RawRow): ReviewRow {
  const flags = parseJson<string[]>(r.flags_json, []);
  const estGender = r.est_gender === 'male' || r.est_gender === 'female' || r.est_gender === 'unknown' ? r.est_gender : null;
  // The bit is also set when the estimates disagree with the labels (crops.review_flags).
  if ((r.review_flags & FLAG_BITS.mislabel) !== 0 && !flags.includes('mislabel')) flags.push('mislabel');
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
  c.edited, c.est_age, c.est_gender, c.review_flags, c.updated_at`;

/**
 * One page of the grid: the total comes from crop_counts, the page's ids from the crops' review indexes alone
 * (pageIdsSql), then only those rows are read with their image, so any page of 500,000 crops takes milliseconds.
 */
export function listReview(db: Db, opts: { filter?: ReviewFilter; sort?: ReviewSort; offset: number; limit: number }): { total: number; rows: ReviewRow[] } {
  const filter = filterSql(opts.filter);
  const read = db.transaction(() => {
    const total = db.prepare(`SELECT coalesce(sum(c.n), 0) FROM crop_counts c ${filter.where}`).pluck().get(...filter.params) as number;
    if (opts.offset >= total || opts.limit <= 0) return { total, rows: [] };
    const page = pageIdsSql(filter, opts.sort, { total, offset: opts.offset, limit: opts.limit });
    const ids = db.prepare(page.sql).pluck().all(...page.params) as number[];
    if (page.reversed) ids.reverse();
    if (ids.length === 0) return { total, rows: [] };
    const byId = new Map(
      (db.prepare(`SELECT ${COLUMNS} ${REVIEW_FROM} WHERE c.id IN (${placeholders(ids.length)})`).all(...ids) as RawRow[]).map((r) => [r.id, r]),
    );
    return { total, rows: ids.map((id) => toRow(byId.get(id)!)) };
  });
  return read();
}

export function reviewIds(db: Db, opts: { filter?: ReviewFilter; sort?: ReviewSort } = {}): number[] {
  const { where, params } = filterSql(opts.filter);
  return db.prepare(`SELECT c.id FROM crops c ${where} ${orderSql(opts.sort)}`).pluck().all(...params) as number[];
}

export function getReviewRow(db: Db, id: number): ReviewRow | undefined {
  const r = db.prepare(`SELECT ${COLUMNS} ${REVIEW_FROM} WHERE c.id = ?`).get(id) as RawRow | undefined;
  return r ? toRow(r) : undefined;
}
