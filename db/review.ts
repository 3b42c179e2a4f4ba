/**
 * The review queue over crops: filtered, sorted pages for a virtualised grid, status changes and label edits recorded
 * in crop_history as undoable batches, and the counts the Datasets screen charts.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';
import { listFaces } from './faces.js';
import { AGE_BIN_NAMES, FLAG_BITS, filterSql, orderSql, pageIdsSql } from './review-filter.js';
import type { AgeBinName, CropStatus, Gender, ReviewFilter, ReviewSort, SplitOrNone } from './review-filter.js';

export { AGE_BIN_NAMES, filterSql, FLAG_BITS, MISLABEL_AGE_GAP } from './review-filter.js';
export type { AgeBinName, CropStatus, Gender, ReviewFilter, ReviewSort, SplitOrNone } from './review-filter.js';

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
  split: 'train' | 'val' | 'test' | null;
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
  split: 'train' | 'val' | 'test' | null;
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
  if ((r.review_flags & FLAG_BITS.mislabel!) !== 0 && !flags.includes('mislabel')) flags.push('mislabel');
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
const FROM = 'FROM crops c JOIN images i ON i.id = c.image_id';

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(',');
}

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
      (db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE c.id IN (${placeholders(ids.length)})`).all(...ids) as RawRow[]).map((r) => [r.id, r]),
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
  const r = db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE c.id = ?`).get(id) as RawRow | undefined;
  return r ? toRow(r) : undefined;
}

export interface BatchResult {
  /** null when nothing changed (no batch recorded). */
  batch: string | null;
  changed: number;
}

function newBatch(kind: string): string {
  return `${kind}:${randomUUID()}`;
}

/** Sets the status of the given crops in one transaction; crops already in that status are left out of the batch. */
export function setCropStatus(db: Db, ids: readonly number[], status: CropStatus): BatchResult {
  const batch = newBatch('status');
  const select = db.prepare('SELECT status FROM crops WHERE id = ?').pluck();
  const update = db.prepare(`UPDATE crops SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`);
  const history = db.prepare(`INSERT INTO crop_history (crop_id, batch, field, old_value, new_value) VALUES (?, ?, 'status', ?, ?)`);
  const run = db.transaction(() => {
    let changed = 0;
    for (const id of new Set(ids)) {
      const old = select.get(id) as CropStatus | undefined;
      if (old === undefined || old === status) continue;
      update.run(status, id);
      history.run(id, batch, old, status);
      changed++;
    }
    return changed;
  });
  const changed = run();
  return { batch: changed ? batch : null, changed };
}

/** Sets the status of every crop the filter matches (and only those), as one batch. */
export function setStatusByFilter(db: Db, filter: ReviewFilter, status: CropStatus): BatchResult {
  const { where, params } = filterSql(filter);
  const batch = newBatch('status');
  const run = db.transaction(() => {
    const cond = `${where ? `${where} AND` : 'WHERE'} c.status <> ?`;
    db.prepare(
      `INSERT INTO crop_history (crop_id, batch, field, old_value, new_value)
       SELECT c.id, ?, 'status', c.status, ? FROM crops c ${cond}`,
    ).run(batch, status, ...params, status);
    const info = db
      .prepare(
        `UPDATE crops SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
         WHERE id IN (SELECT crop_id FROM crop_history WHERE batch = ?)`,
      )
      .run(status, batch);
    return info.changes;
  });
  const changed = run();
  return { batch: changed ? batch : null, changed };
}

export interface LabelEdit {
  age?: number | null;
  gender?: Gender;
}

/** Edits the labels of a crop's image, recorded as an undoable batch. Age 0-120; throws RangeError otherwise. */
export function setCropLabels(db: Db, cropId: number, edit: LabelEdit): BatchResult {
  if (edit.age !== undefined && edit.age !== null && !(Number.isFinite(edit.age) && edit.age >= 0 && edit.age <= 120)) {
    throw new RangeError(`age ${edit.age} is outside 0-120`);
  }
  if (edit.gender !== undefined && !['male', 'female', 'unknown'].includes(edit.gender)) {
    throw new RangeError(`gender must be male, female or unknown, not "${String(edit.gender)}"`);
  }
  const batch = newBatch('labels');
  const run = db.transaction(() => {
    const img = db.prepare('SELECT i.id, i.age, i.gender FROM crops c JOIN images i ON i.id = c.image_id WHERE c.id = ?').get(cropId) as
      | { id: number; age: number | null; gender: Gender }
      | undefined;
    if (!img) return -1;
    const history = db.prepare('INSERT INTO crop_history (crop_id, batch, field, old_value, new_value) VALUES (?, ?, ?, ?, ?)');
    let changed = 0;
    if (edit.age !== undefined && edit.age !== img.age) {
      db.prepare('UPDATE images SET age = ? WHERE id = ?').run(edit.age, img.id);
      history.run(cropId, batch, 'age', JSON.stringify(img.age), JSON.stringify(edit.age));
      changed++;
    }
    if (edit.gender !== undefined && edit.gender !== img.gender) {
      db.prepare('UPDATE images SET gender = ? WHERE id = ?').run(edit.gender, img.id);
      history.run(cropId, batch, 'gender', JSON.stringify(img.gender), JSON.stringify(edit.gender));
      changed++;
    }
    if (changed) db.prepare(`UPDATE crops SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`).run(cropId);
    return changed;
  });
  const changed = run();
  if (changed < 0) throw new RangeError(`crop ${cropId} does not exist`);
  return { batch: changed ? batch : null, changed };
}

/** Records an alignment edit (the points before and after) so that undo can cut the crop again from the old ones. */
export function recordAlignmentEdit(db: Db, cropId: number, before: { points: unknown; edited: boolean }, after: unknown): string {
  const batch = newBatch('align');
  db.prepare(`INSERT INTO crop_history (crop_id, batch, field, old_value, new_value) VALUES (?, ?, 'alignment', ?, ?)`).run(
    cropId,
    batch,
    JSON.stringify(before),
    JSON.stringify(after),
  );
  return batch;
}

export interface HistoryEntry {
  cropId: number;
  field: string;
  oldValue: string | null;
  newValue: string | null;
}

/** The most recent batch still on the undo stack, or null. */
export function lastBatch(db: Db): { batch: string; entries: HistoryEntry[] } | null {
  const batch = db.prepare('SELECT batch FROM crop_history ORDER BY id DESC LIMIT 1').pluck().get() as string | undefined;
  if (batch === undefined) return null;
  const entries = (db.prepare('SELECT crop_id, field, old_value, new_value FROM crop_history WHERE batch = ? ORDER BY id').all(batch) as {
    crop_id: number;
    field: string;
    old_value: string | null;
    new_value: string | null;
  }[]).map((e) => ({ cropId: e.crop_id, field: e.field, oldValue: e.old_value, newValue: e.new_value }));
  return { batch, entries };
}

export function dropBatch(db: Db, batch: string): void {
  db.prepare('DELETE FROM crop_history WHERE batch = ?').run(batch);
}

/**
 * Reverts the last batch of status or label changes and removes it from the stack. Alignment batches are left to the
 * caller (they need the crop cut again): returns kind 'alignment' with the entries, untouched.
 */
export function undoLastBatch(db: Db): { kind: 'none' | 'status' | 'labels' | 'alignment'; batch: string | null; ids: number[]; entries: HistoryEntry[] } {
  const run = db.transaction(() => {
    const last = lastBatch(db);
    if (!last) return { kind: 'none' as const, batch: null, ids: [], entries: [] };
    if (last.entries.some((e) => e.field === 'alignment')) return { kind: 'alignment' as const, batch: last.batch, ids: last.entries.map((e) => e.cropId), entries: last.entries };
    const setStatus = db.prepare(`UPDATE crops SET status = ?, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`);
    const touch = db.prepare(`UPDATE crops SET updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`);
    const setAge = db.prepare('UPDATE images SET age = ? WHERE id = (SELECT image_id FROM crops WHERE id = ?)');
    const setGender = db.prepare('UPDATE images SET gender = ? WHERE id = (SELECT image_id FROM crops WHERE id = ?)');
    let kind: 'status' | 'labels' = 'status';
    if (last.entries.every((e) => e.field === 'status')) {
      // One statement for the whole batch (a batch names each crop once): a bulk change of 100,000 crops undoes in
      // seconds instead of running 100,000 updates.
      db.prepare(
        `UPDATE crops SET status = h.old_value, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now')
         FROM crop_history h WHERE h.batch = ? AND h.field = 'status' AND crops.id = h.crop_id`,
      ).run(last.batch);
    } else {
      for (const e of [...last.entries].reverse()) {
        if (e.field === 'status') setStatus.run(e.oldValue, e.cropId);
        else if (e.field === 'age') {
          kind = 'labels';
          setAge.run(JSON.parse(e.oldValue ?? 'null') as number | null, e.cropId);
          touch.run(e.cropId);
        } else if (e.field === 'gender') {
          kind = 'labels';
          setGender.run(JSON.parse(e.oldValue ?? '"unknown"') as string, e.cropId);
          touch.run(e.cropId);
        }
      }
    }
    dropBatch(db, last.batch);
    return { kind, batch: last.batch, ids: [...new Set(last.entries.map((e) => e.cropId))], entries: last.entries };
  });
  return run();
}

export interface Counts {
  images: number;
  byGender: Record<Gender, number>;
  byAgeBin: Record<AgeBinName, number>;
  byAgeBinGender: Record<AgeBinName, Record<Gender, number>>;
  bySplit: Record<SplitOrNone, number>;
  byStatus: Record<CropStatus, number>;
}

/**
 * Image counts by gender, age bin (images without an age are in no bin), split, and crop counts by status, read from
 * image_counts and crop_counts (kept by triggers).
 */
export function countCatalogue(db: Db, datasetId?: number): Counts {
  const where = datasetId === undefined ? '' : 'WHERE dataset_id = ?';
  const params = datasetId === undefined ? [] : [datasetId];
  const zeroG = (): Record<Gender, number> => ({ male: 0, female: 0, unknown: 0 });
  const counts: Counts = {
    images: 0,
    byGender: zeroG(),
    byAgeBin: Object.fromEntries(AGE_BIN_NAMES.map((b) => [b, 0])) as Record<AgeBinName, number>,
    byAgeBinGender: Object.fromEntries(AGE_BIN_NAMES.map((b) => [b, zeroG()])) as Record<AgeBinName, Record<Gender, number>>,
    bySplit: { train: 0, val: 0, test: 0, none: 0 },
    byStatus: { pending: 0, accepted: 0, rejected: 0, 'needs-fix': 0 },
  };
  const read = db.transaction(() => {
    const rows = db
      .prepare(`SELECT age_bin AS bin, gender, split, sum(n) AS n FROM image_counts ${where} GROUP BY 1, 2, 3`)
      .all(...params) as { bin: number; gender: Gender; split: SplitOrNone; n: number }[];
    for (const r of rows) {
      counts.images += r.n;
      counts.byGender[r.gender] += r.n;
      counts.bySplit[r.split] += r.n;
      const bin = AGE_BIN_NAMES[r.bin];
      if (bin) {
        counts.byAgeBin[bin] += r.n;
        counts.byAgeBinGender[bin][r.gender] += r.n;
      }
    }
    const statuses = db
      .prepare(`SELECT status, sum(n) AS n FROM crop_counts ${datasetId === undefined ? '' : 'WHERE image_dataset_id = ?'} GROUP BY status`)
      .all(...params) as { status: CropStatus; n: number }[];
    for (const s of statuses) counts.byStatus[s.status] = s.n;
  });
  read();
  return counts;
}

export interface PrepareErrorRow {
  imageId: number;
  datasetId: number;
  file: string;
  reason: string;
}

export function listPrepareErrors(db: Db, opts: { datasetId?: number; offset?: number; limit?: number } = {}): { total: number; rows: PrepareErrorRow[] } {
  const where = `WHERE prepare_status = 'failed'${opts.datasetId === undefined ? '' : ' AND dataset_id = ?'}`;
  const params = opts.datasetId === undefined ? [] : [opts.datasetId];
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM images ${where}`).get(...params) as { n: number }).n;
  const rows = db
    .prepare(`SELECT id, dataset_id, source_path, prepare_error FROM images ${where} ORDER BY id LIMIT ? OFFSET ?`)
    .all(...params, opts.limit ?? 200, opts.offset ?? 0) as { id: number; dataset_id: number; source_path: string; prepare_error: string | null }[];
  return {
    total,
    rows: rows.map((r) => ({ imageId: r.id, datasetId: r.dataset_id, file: r.source_path, reason: r.prepare_error ?? 'failed' })),
  };
}

export function listImportErrorsPage(db: Db, opts: { datasetId?: number; offset?: number; limit?: number } = {}): {
  total: number;
  rows: { datasetId: number; file: string; reason: string; at: string }[];
} {
  const where = opts.datasetId === undefined ? '' : 'WHERE dataset_id = ?';
  const params = opts.datasetId === undefined ? [] : [opts.datasetId];
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM import_errors ${where}`).get(...params) as { n: number }).n;
  const rows = db
    .prepare(`SELECT dataset_id, file, reason, created_at FROM import_errors ${where} ORDER BY id LIMIT ? OFFSET ?`)
    .all(...params, opts.limit ?? 200, opts.offset ?? 0) as { dataset_id: number; file: string; reason: string; created_at: string }[];
  return { total, rows: rows.map((r) => ({ datasetId: r.dataset_id, file: r.file, reason: r.reason, at: r.created_at })) };
}

/** Per-dataset image/preparation/crop counts for the Datasets screen. */
export function datasetProgress(db: Db): Map<number, { prepared: number; prepareFailed: number; crops: number }> {
  const rows = db
    .prepare(
      `SELECT i.dataset_id AS id,
              SUM(i.prepare_status = 'done') AS prepared,
              SUM(i.prepare_status = 'failed') AS failed,
              (SELECT COUNT(*) FROM crops c JOIN images j ON j.id = c.image_id WHERE j.dataset_id = i.dataset_id) AS crops
       FROM images i GROUP BY i.dataset_id`,
    )
    .all() as { id: number; prepared: number; failed: number; crops: number }[];
  return new Map(rows.map((r) => [r.id, { prepared: r.prepared, prepareFailed: r.failed, crops: r.crops }]));
}

export type XY = [number, number];
export interface Keypoints5 {
  leftEye: XY;
  rightEye: XY;
  nose: XY;
  mouthLeft: XY;
  mouthRight: XY;
}
const KP_NAMES = ['leftEye', 'rightEye', 'nose', 'mouthLeft', 'mouthRight'] as const;

/** Five points stored either as {leftEye: [x, y], ...} or as [[x, y] x5] in that order. */
export function parseKeypoints(json: string | null | undefined): Keypoints5 | null {
  const v = parseJson<unknown>(json, null);
  if (v === null || typeof v !== 'object') return null;
  const get = (i: number, name: string): XY | null => {
    const p = Array.isArray(v) ? (v as unknown[])[i] : (v as Record<string, unknown>)[name];
    if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number') return [p[0], p[1]];
    if (p && typeof p === 'object' && typeof (p as { x?: unknown }).x === 'number') return [(p as { x: number }).x, (p as { y: number }).y];
    return null;
  };
  const pts = KP_NAMES.map((n, i) => get(i, n));
  if (pts.some((p) => p === null)) return null;
  return Object.fromEntries(KP_NAMES.map((n, i) => [n, pts[i]!])) as unknown as Keypoints5;
}

export interface FaceDetailRow {
  id: number;
  index: number;
  score: number | null;
  box: [number, number, number, number] | null;
  keypoints: Keypoints5 | null;
  landmarks: XY[];
  isPrimary: boolean;
  source: 'detected' | 'ground-truth';
}

export interface CropDetailRow extends ReviewRow {
  keypoints: Keypoints5 | null;
  manualKeypoints: Keypoints5 | null;
  detectedKeypoints: Keypoints5 | null;
  signals: Record<string, number | boolean | string | null>;
  faceId: number | null;
  image: { id: number; datasetId: number; width: number; height: number; relPath: string; root: string; subject: string | null };
  faces: FaceDetailRow[];
}

/** A crop with its image, its faces (detected and ground truth) and the points it was cut from. */
export function getCropDetail(db: Db, id: number): CropDetailRow | undefined {
  const row = getReviewRow(db, id);
  if (!row) return undefined;
  const c = db.prepare('SELECT face_id, keypoints_json, manual_points_json, signals_json FROM crops WHERE id = ?').get(id) as {
    face_id: number | null;
    keypoints_json: string;
    manual_points_json: string | null;
    signals_json: string;
  };
  const img = db
    .prepare('SELECT i.id, i.dataset_id, i.width, i.height, i.source_path, i.subject, d.root FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?')
    .get(row.imageId) as { id: number; dataset_id: number; width: number; height: number; source_path: string; subject: string | null; root: string };
  const faces: FaceDetailRow[] = listFaces(db, row.imageId).map((f) => ({
    id: f.id,
    index: f.idx,
    score: f.score,
    box: f.box ? [f.box.x, f.box.y, f.box.width, f.box.height] : null,
    keypoints: f.keypoints,
    landmarks: f.landmarks,
    isPrimary: f.isPrimary,
    source: f.source,
  }));
  const cropFace = faces.find((f) => f.id === c.face_id) ?? faces.find((f) => f.isPrimary && f.source === 'detected');
  return {
    ...row,
    keypoints: parseKeypoints(c.keypoints_json),
    manualKeypoints: parseKeypoints(c.manual_points_json),
    detectedKeypoints: cropFace?.keypoints ?? null,
    signals: parseJson(c.signals_json, {}),
    faceId: c.face_id,
    image: { id: img.id, datasetId: img.dataset_id, width: img.width, height: img.height, relPath: img.source_path, root: img.root, subject: img.subject },
    faces,
  };
}

/** Clears the manual-edit mark of a crop (after it was cut again from the detected points). */
export function clearManualEdit(db: Db, cropId: number): void {
  db.prepare(`UPDATE crops SET edited = 0, manual_points_json = NULL, updated_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?`).run(cropId);
}

/** The source file of a catalogue image (absolute), or undefined. */
export function imageSourceFile(db: Db, imageId: number): string | undefined {
  const r = db.prepare('SELECT i.source_path, d.root FROM images i JOIN datasets d ON d.id = i.dataset_id WHERE i.id = ?').get(imageId) as
    | { source_path: string; root: string }
    | undefined;
  return r ? path.join(r.root, ...r.source_path.split('/')) : undefined;
}

/** The backend the latest training run used, and why (for the app info). */
export function latestRunBackend(db: Db): { name: string; reason: string } | null {
  const r = db.prepare('SELECT backend, backend_reason FROM runs WHERE backend IS NOT NULL ORDER BY id DESC LIMIT 1').get() as
    | { backend: string; backend_reason: string | null }
    | undefined;
  return r ? { name: r.backend, reason: r.backend_reason ?? '' } : null;
}

export function datasetCount(db: Db): number {
  return db.prepare('SELECT COUNT(*) FROM datasets').pluck().get() as number;
}
