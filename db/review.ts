/**
 * The review queue over crops: filtered, sorted pages for a virtualised grid, status changes and label edits recorded
 * in crop_history as undoable batches, and the counts the Datasets screen charts.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { DECADE_BINS, type DecadeBin } from '../domain/age-bins.js';
import type { CropFlag } from '../domain/crop-flags.js';
import type { CropStatus } from '../domain/crop-status.js';
import { GENDERS, type Gender } from '../domain/gender.js';
import { KEYPOINT_NAMES, type Keypoints, type Point } from '../domain/keypoints.js';
import type { Box } from '../domain/prominence.js';
import type { Split } from '../domain/split.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';
import { listFaces } from './faces.js';
import { validateAge } from './images.js';

type SplitOrNone = Split | 'none';
/** A crop whose estimated age is this far from its label, or whose estimated gender differs, counts as 'mislabel'. */
export const MISLABEL_AGE_GAP = 15;

export interface ReviewFilter {
  datasetId?: number;
  status?: CropStatus[];
  ageBins?: DecadeBin[];
  genders?: Gender[];
  splits?: SplitOrNone[];
  flags?: CropFlag[];
  edited?: boolean;
}
export type ReviewSort = 'quality-asc' | 'quality-desc' | 'id' | 'age-disagreement';

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

const MISLABEL_SQL = `(c.est_age IS NOT NULL AND i.age IS NOT NULL AND abs(c.est_age - i.age) >= ${MISLABEL_AGE_GAP})
  OR (c.est_gender IN ('male','female') AND i.gender IN ('male','female') AND c.est_gender <> i.gender)`;

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
const FROM = 'FROM crops c JOIN images i ON i.id = c.image_id';

function ageBinClause(bin: DecadeBin): string {
  if (bin === '90+') return 'i.age >= 90';
  const lo = Number(bin.split('-')[0]);
  return `(i.age >= ${lo} AND i.age < ${lo + 10})`;
}

function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(',');
}

/** WHERE clause and parameters for a filter; empty or absent lists do not restrict. */
export function filterSql(filter: ReviewFilter = {}): { where: string; params: unknown[]; needsImages: boolean } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.datasetId !== undefined) {
    parts.push('i.dataset_id = ?');
    params.push(filter.datasetId);
  }
  if (filter.status?.length) {
    parts.push(`c.status IN (${placeholders(filter.status.length)})`);
    params.push(...filter.status);
  }
  if (filter.genders?.length) {
    parts.push(`i.gender IN (${placeholders(filter.genders.length)})`);
    params.push(...filter.genders);
  }
  if (filter.ageBins?.length) {
    const bins = filter.ageBins.filter((b): b is DecadeBin => (DECADE_BINS as readonly string[]).includes(b));
    parts.push(`(${bins.map(ageBinClause).join(' OR ') || '0'})`);
  }
  if (filter.splits?.length) {
    const named = filter.splits.filter((s) => s !== 'none');
    const ors: string[] = [];
    if (named.length) {
      ors.push(`i.split IN (${placeholders(named.length)})`);
      params.push(...named);
    }
    if (filter.splits.includes('none')) ors.push('i.split IS NULL');
    parts.push(`(${ors.join(' OR ')})`);
  }
  if (filter.flags?.length) {
    const stored = filter.flags.filter((f) => f !== 'mislabel');
    const ors: string[] = [];
    if (stored.length) {
      ors.push(`EXISTS (SELECT 1 FROM json_each(c.flags_json) f WHERE f.value IN (${placeholders(stored.length)}))`);
      params.push(...stored);
    }
    if (filter.flags.includes('mislabel')) ors.push(`(${MISLABEL_SQL})`);
    parts.push(`(${ors.join(' OR ')})`);
  }
  if (filter.edited !== undefined) parts.push(filter.edited ? 'c.edited <> 0' : 'c.edited = 0');
  const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  return { where, params, needsImages: /\bi\./.test(where) };
}

function orderSql(sort: ReviewSort = 'quality-asc'): string {
  switch (sort) {
    // These two follow the crops_quality index (quality, rowid), so deep pages of a 50,000-crop grid stay fast.
    // Crops without a score come first in quality-asc (they need a look) and last in quality-desc.
    case 'quality-desc':
      return 'ORDER BY c.quality DESC, c.id DESC';
    case 'id':
      return 'ORDER BY c.id';
    case 'age-disagreement':
      return 'ORDER BY (c.est_age IS NULL OR i.age IS NULL), abs(c.est_age - i.age) DESC, c.id';
    default:
      return 'ORDER BY c.quality ASC, c.id ASC';
  }
}

/** FROM clause of the id scan: crops alone when neither the filter nor the order reads image columns. */
function scanFrom(filter: ReviewFilter | undefined, sort: ReviewSort | undefined): { from: string; where: string; params: unknown[] } {
  const { where, params, needsImages } = filterSql(filter);
  const join = needsImages || sort === 'age-disagreement';
  return { from: join ? FROM : 'FROM crops c', where, params };
}

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
      (db.prepare(`SELECT ${COLUMNS} ${FROM} WHERE c.id IN (${placeholders(ids.length)})`).all(...ids) as RawRow[]).map((r) => [r.id, r]),
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
       SELECT c.id, ?, 'status', c.status, ? ${FROM} ${cond}`,
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
  if (edit.age !== undefined) validateAge(edit.age);
  if (edit.gender !== undefined && !GENDERS.includes(edit.gender)) {
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
    dropBatch(db, last.batch);
    return { kind, batch: last.batch, ids: [...new Set(last.entries.map((e) => e.cropId))], entries: last.entries };
  });
  return run();
}

export interface Counts {
  images: number;
  byGender: Record<Gender, number>;
  byAgeBin: Record<DecadeBin, number>;
  byAgeBinGender: Record<DecadeBin, Record<Gender, number>>;
  bySplit: Record<SplitOrNone, number>;
  byStatus: Record<CropStatus, number>;
}

/** Image counts by gender, age bin (images without an age are in no bin), split, and crop counts by status. */
export function countCatalogue(db: Db, datasetId?: number): Counts {
  const where = datasetId === undefined ? '' : 'WHERE i.dataset_id = ?';
  const params = datasetId === undefined ? [] : [datasetId];
  const zeroG = (): Record<Gender, number> => ({ male: 0, female: 0, unknown: 0 });
  const counts: Counts = {
    images: 0,
    byGender: zeroG(),
    byAgeBin: Object.fromEntries(DECADE_BINS.map((b) => [b, 0])) as Record<DecadeBin, number>,
    byAgeBinGender: Object.fromEntries(DECADE_BINS.map((b) => [b, zeroG()])) as Record<DecadeBin, Record<Gender, number>>,
    bySplit: { train: 0, val: 0, test: 0, none: 0 },
    byStatus: { pending: 0, accepted: 0, rejected: 0, 'needs-fix': 0 },
  };
  const read = db.transaction(() => {
    const rows = db
      .prepare(
        `SELECT CASE WHEN i.age IS NULL THEN -1 ELSE min(9, CAST(i.age / 10 AS INTEGER)) END AS bin, i.gender AS gender,
                coalesce(i.split, 'none') AS split, COUNT(*) AS n
         FROM images i ${where} GROUP BY 1, 2, 3`,
      )
      .all(...params) as { bin: number; gender: Gender; split: SplitOrNone; n: number }[];
    for (const r of rows) {
      counts.images += r.n;
      counts.byGender[r.gender] += r.n;
      counts.bySplit[r.split] += r.n;
      const bin = DECADE_BINS[r.bin];
      if (bin) {
        counts.byAgeBin[bin] += r.n;
        counts.byAgeBinGender[bin][r.gender] += r.n;
      }
    }
    const statuses = db
      .prepare(`SELECT c.status AS status, COUNT(*) AS n ${FROM} ${where} GROUP BY c.status`)
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

/** Five points stored either as {leftEye: [x, y], ...} or as [[x, y] x5] in that order. */
export function parseKeypoints(json: string | null | undefined): Keypoints | null {
  const v = parseJson<unknown>(json, null);
  if (v === null || typeof v !== 'object') return null;
  const get = (i: number, name: string): Point | null => {
    const p = Array.isArray(v) ? (v as unknown[])[i] : (v as Record<string, unknown>)[name];
    if (Array.isArray(p) && typeof p[0] === 'number' && typeof p[1] === 'number') return [p[0], p[1]];
    if (p && typeof p === 'object' && typeof (p as { x?: unknown }).x === 'number') return [(p as { x: number }).x, (p as { y: number }).y];
    return null;
  };
  const [leftEye, rightEye, nose, mouthLeft, mouthRight] = KEYPOINT_NAMES.map((n, i) => get(i, n));
  if (!leftEye || !rightEye || !nose || !mouthLeft || !mouthRight) return null;
  return { leftEye, rightEye, nose, mouthLeft, mouthRight };
}

export interface FaceDetailRow {
  id: number;
  index: number;
  score: number | null;
  box: Box | null;
  keypoints: Keypoints | null;
  landmarks: Point[];
  isPrimary: boolean;
  source: 'detected' | 'ground-truth';
}

export interface CropDetailRow extends ReviewRow {
  keypoints: Keypoints | null;
  manualKeypoints: Keypoints | null;
  detectedKeypoints: Keypoints | null;
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
