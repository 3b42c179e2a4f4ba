import crypto from 'node:crypto';
import path from 'node:path';
import type { Db } from './catalogue.js';
import { MAX_AGE, MIN_AGE } from '../domain/age.js';
import { GENDERS, type Gender } from '../domain/gender.js';
import type { Split } from '../domain/split.js';
import { parseJson } from './catalogue.js';
import { cached } from './statements.js';

export type PrepareStatus = 'pending' | 'done' | 'failed';

export interface ImageRow {
  id: number;
  datasetId: number;
  /** Absolute path of the source file (dataset root + stored relative path). */
  sourcePath: string;
  /** Path as stored: relative to the dataset root, '/'-separated. */
  relPath: string;
  contentHash: string;
  width: number;
  height: number;
  /** Container format from the header: 'jpeg', 'png', 'webp', ... */
  format: string | null;
  age: number | null;
  gender: Gender;
  race: number | null;
  subject: string | null;
  split: Split | null;
  /** The file the labels came from (the image itself, or a CSV relative to the root) and its 1-based data row. */
  originFile: string | null;
  originRow: number | null;
  prepareStatus: PrepareStatus;
  prepareError: string | null;
  /** Flags the dataset's metadata raised at import ('mislabel', 'no-face', 'several-faces'); prepare copies them to the crop. */
  flags: string[];
  /** Other facts the dataset's metadata gives (birth date or year, rank, detector scores, ...). */
  meta: Record<string, unknown> | null;
  createdAt: string;
}

/** A new image for insertImage and insertImages. */
export interface NewImage {
  datasetId: number;
  /** Relative to the dataset root. */
  relPath: string;
  contentHash: string;
  width: number;
  height: number;
  format: string | null;
  age: number | null;
  gender: Gender;
  race?: number | null;
  subject?: string | null;
  split?: Split | null;
  originFile?: string | null;
  originRow?: number | null;
  flags?: readonly string[];
  meta?: Record<string, unknown> | null;
}

interface RawImage {
  id: number;
  dataset_id: number;
  source_path: string;
  content_hash: string;
  width: number;
  height: number;
  format: string | null;
  age: number | null;
  gender: Gender;
  race: number | null;
  subject: string | null;
  split: Split | null;
  origin_file: string | null;
  origin_row: number | null;
  prepare_status: PrepareStatus;
  prepare_error: string | null;
  flags_json: string;
  meta_json: string | null;
  created_at: string;
  root: string;
}

const SELECT = 'SELECT i.*, d.root AS root FROM images i JOIN datasets d ON d.id = i.dataset_id';

function toRow(r: RawImage): ImageRow {
  return {
    id: r.id,
    datasetId: r.dataset_id,
    sourcePath: path.join(r.root, ...r.source_path.split('/')),
    relPath: r.source_path,
    contentHash: r.content_hash,
    width: r.width,
    height: r.height,
    format: r.format,
    age: r.age,
    gender: r.gender,
    race: r.race,
    subject: r.subject,
    split: r.split,
    originFile: r.origin_file,
    originRow: r.origin_row,
    prepareStatus: r.prepare_status,
    prepareError: r.prepare_error,
    flags: parseJson<string[]>(r.flags_json, []),
    meta: parseJson<Record<string, unknown> | null>(r.meta_json, null),
    createdAt: r.created_at,
  };
}

export function getImage(db: Db, id: number): ImageRow | undefined {
  const r = db.prepare(`${SELECT} WHERE i.id = ?`).get(id) as RawImage | undefined;
  return r ? toRow(r) : undefined;
}

export interface ListImagesOptions {
  datasetId?: number;
  split?: Split;
  gender?: Gender;
  prepareStatus?: PrepareStatus;
  limit?: number;
  offset?: number;
}

/** Images ordered by id, filtered by any of the options. */
export function listImages(db: Db, opts: ListImagesOptions = {}): ImageRow[] {
  const where: string[] = [];
  const params: (string | number)[] = [];
  if (opts.datasetId !== undefined) (where.push('i.dataset_id = ?'), params.push(opts.datasetId));
  if (opts.split !== undefined) (where.push('i.split = ?'), params.push(opts.split));
  if (opts.gender !== undefined) (where.push('i.gender = ?'), params.push(opts.gender));
  if (opts.prepareStatus !== undefined) (where.push('i.prepare_status = ?'), params.push(opts.prepareStatus));
  let sql = `${SELECT}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY i.id`;
  if (opts.limit !== undefined) {
    sql += ' LIMIT ? OFFSET ?';
    params.push(opts.limit, opts.offset ?? 0);
  }
  return (db.prepare(sql).all(...params) as RawImage[]).map(toRow);
}

/** Images still waiting for face preparation (prepare_status = 'pending'), oldest first. */
export function listImagesForPrepare(db: Db, opts: { datasetId?: number; limit?: number } = {}): ImageRow[] {
  return listImages(db, { ...opts, prepareStatus: 'pending' });
}

export function countImages(db: Db, datasetId?: number): number {
  const r = (datasetId === undefined
    ? db.prepare('SELECT COUNT(*) AS n FROM images').get()
    : db.prepare('SELECT COUNT(*) AS n FROM images WHERE dataset_id = ?').get(datasetId)) as { n: number };
  return r.n;
}

/** Records the preparation outcome of one image; 'pending' clears the error (to retry). */
export function markImagePrepare(db: Db, id: number, status: PrepareStatus, error?: string | null): void {
  db.prepare('UPDATE images SET prepare_status = ?, prepare_error = ? WHERE id = ?').run(
    status,
    status === 'pending' ? null : (error ?? null),
    id,
  );
}

export function validateAge(age: number | null): void {
  if (age === null) return;
  if (!Number.isFinite(age) || age < MIN_AGE || age > MAX_AGE) throw new RangeError(`age ${age} is outside ${MIN_AGE}-${MAX_AGE}`);
}

/** Edits an image's labels (null age = unknown). Returns the updated row; throws on an invalid value or unknown id. */
export function updateImageLabels(db: Db, id: number, labels: { age?: number | null; gender?: Gender }): ImageRow {
  const sets: string[] = [];
  const params: (string | number | null)[] = [];
  if (labels.age !== undefined) {
    validateAge(labels.age);
    sets.push('age = ?');
    params.push(labels.age);
  }
  if (labels.gender !== undefined) {
    if (!GENDERS.includes(labels.gender)) throw new RangeError(`gender must be one of ${GENDERS.join(', ')}, got "${String(labels.gender)}"`);
    sets.push('gender = ?');
    params.push(labels.gender);
  }
  if (sets.length > 0) {
    const info = db.prepare(`UPDATE images SET ${sets.join(', ')} WHERE id = ?`).run(...params, id);
    if (info.changes === 0) throw new Error(`no image with id ${id}`);
  }
  const row = getImage(db, id);
  if (!row) throw new Error(`no image with id ${id}`);
  return row;
}

const INSERT_SQL = `INSERT INTO images (dataset_id, source_path, content_hash, width, height, format, age, gender, race, subject, split, origin_file, origin_row, flags_json, meta_json)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(content_hash) DO NOTHING`;

/** Inserts one image; returns its id, or null when its content hash is already catalogued. */
export function insertImage(db: Db, im: NewImage): number | null {
  const info = cached(db, INSERT_SQL).run(
    im.datasetId,
    im.relPath,
    im.contentHash,
    im.width,
    im.height,
    im.format,
    im.age,
    im.gender,
    im.race ?? null,
    im.subject ?? null,
    im.split ?? null,
    im.originFile ?? null,
    im.originRow ?? null,
    JSON.stringify(im.flags ?? []),
    im.meta ? JSON.stringify(im.meta) : null,
  );
  return info.changes > 0 ? Number(info.lastInsertRowid) : null;
}

/** Inserts images in one transaction; per input, the new id or null for an already catalogued content hash. */
export function insertImages(db: Db, images: readonly NewImage[]): (number | null)[] {
  return db.transaction(() => images.map((im) => insertImage(db, im)))();
}

/**
 * content_hash of a dataset entry whose bytes equal an earlier entry of the same dataset at another path:
 * the sha1 of the bytes, '-', then 12 hex digits of the sha1 of the relative path.
 */
export function duplicateEntryKey(sha1: string, relPath: string): string {
  return `${sha1}-${crypto.createHash('sha1').update(relPath).digest('hex').slice(0, 12)}`;
}
