import type { CropStatus } from '../domain/crop-status.js';
import type { Keypoints } from '../domain/keypoints.js';
import type { Db } from './catalogue.js';
import { parseJson } from './catalogue.js';
import { cached } from './statements.js';

type Affine6 = [number, number, number, number, number, number];

export interface CropRow {
  id: number;
  imageId: number;
  faceId: number | null;
  /** Relative to the data directory. */
  file: string;
  size: number;
  transform: Affine6;
  inverse: Affine6;
  keypoints: Keypoints;
  settings: Record<string, unknown>;
  status: CropStatus;
  quality: number | null;
  signals: Record<string, unknown>;
  flags: string[];
  phash: string | null;
  edited: boolean;
  manualPoints: Keypoints | null;
  updatedAt: string;
}

interface RawCrop {
  id: number;
  image_id: number;
  face_id: number | null;
  file: string;
  size: number;
  transform_json: string;
  inverse_json: string;
  keypoints_json: string;
  settings_json: string;
  status: CropStatus;
  quality: number | null;
  signals_json: string;
  flags_json: string;
  phash: string | null;
  edited: number;
  manual_points_json: string | null;
  updated_at: string;
}

function toRow(r: RawCrop): CropRow {
  return {
    id: r.id,
    imageId: r.image_id,
    faceId: r.face_id,
    file: r.file,
    size: r.size,
    transform: parseJson(r.transform_json, [1, 0, 0, 0, 1, 0] as Affine6),
    inverse: parseJson(r.inverse_json, [1, 0, 0, 0, 1, 0] as Affine6),
    keypoints: parseJson(r.keypoints_json, {} as Keypoints),
    settings: parseJson(r.settings_json, {}),
    status: r.status,
    quality: r.quality,
    signals: parseJson(r.signals_json, {}),
    flags: parseJson(r.flags_json, []),
    phash: r.phash,
    edited: r.edited === 1,
    manualPoints: parseJson(r.manual_points_json, null),
    updatedAt: r.updated_at,
  };
}

/** What preparation computes for a crop. */
export interface CropData {
  imageId: number;
  faceId: number | null;
  file: string;
  size: number;
  transform: Affine6;
  inverse: Affine6;
  keypoints: Keypoints;
  settings: object;
  quality: number;
  signals: object;
  flags: readonly string[];
  phash: string;
}

const NOW = "strftime('%Y-%m-%dT%H:%M:%fZ','now')";

/** `flags` plus those the image's dataset metadata raised at import (images.flags_json), each once. */
function withImportFlags(db: Db, imageId: number, flags: readonly string[]): string[] {
  const stored = cached(db, 'SELECT flags_json FROM images WHERE id = ?').get(imageId) as { flags_json: string } | undefined;
  const out = [...flags];
  for (const f of parseJson<string[]>(stored?.flags_json, [])) if (!out.includes(f)) out.push(f);
  return out;
}

/**
 * Inserts or replaces the image's crop (one per image). A re-prepared crop keeps its review status; edits are cleared.
 * The image's import flags are added to the crop's.
 */
export function upsertCrop(db: Db, c: CropData): number {
  const row = db
    .prepare(
      `INSERT INTO crops (image_id, face_id, file, size, transform_json, inverse_json, keypoints_json, settings_json,
                          quality, signals_json, flags_json, phash, edited, manual_points_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL)
       ON CONFLICT (image_id) DO UPDATE SET
         face_id = excluded.face_id, file = excluded.file, size = excluded.size,
         transform_json = excluded.transform_json, inverse_json = excluded.inverse_json,
         keypoints_json = excluded.keypoints_json, settings_json = excluded.settings_json,
         quality = excluded.quality, signals_json = excluded.signals_json, flags_json = excluded.flags_json,
         phash = excluded.phash, edited = 0, manual_points_json = NULL, updated_at = ${NOW}
       RETURNING id`,
    )
    .get(...cropValues(db, c)) as { id: number };
  return row.id;
}

/** Stores a re-cut from hand-placed points: marked edited, signals recomputed, history recorded. */
export function updateCropFix(
  db: Db,
  id: number,
  c: Omit<CropData, 'imageId' | 'faceId' | 'settings'> & { manualPoints: Keypoints },
  batch = `fix-${new Date().toISOString()}`,
): void {
  db.transaction(() => {
    const old = db.prepare('SELECT keypoints_json, file, image_id FROM crops WHERE id = ?').get(id) as
      | { keypoints_json: string; file: string; image_id: number }
      | undefined;
    if (!old) throw new Error(`crop ${id} not found`);
    db.prepare(
      `UPDATE crops SET file = ?, size = ?, transform_json = ?, inverse_json = ?, keypoints_json = ?, quality = ?,
              signals_json = ?, flags_json = ?, phash = ?, edited = 1, manual_points_json = ?, updated_at = ${NOW}
       WHERE id = ?`,
    ).run(
      c.file,
      c.size,
      JSON.stringify(c.transform),
      JSON.stringify(c.inverse),
      JSON.stringify(c.keypoints),
      c.quality,
      JSON.stringify(c.signals),
      JSON.stringify(withImportFlags(db, old.image_id, c.flags)),
      c.phash,
      JSON.stringify(c.manualPoints),
      id,
    );
    db.prepare('INSERT INTO crop_history (crop_id, batch, field, old_value, new_value) VALUES (?, ?, ?, ?, ?)').run(
      id,
      batch,
      'keypoints',
      old.keypoints_json,
      JSON.stringify(c.keypoints),
    );
  })();
}

export function getCrop(db: Db, id: number): CropRow | undefined {
  const r = db.prepare('SELECT * FROM crops WHERE id = ?').get(id) as RawCrop | undefined;
  return r ? toRow(r) : undefined;
}

export function getCropByImage(db: Db, imageId: number): CropRow | undefined {
  const r = db.prepare('SELECT * FROM crops WHERE image_id = ?').get(imageId) as RawCrop | undefined;
  return r ? toRow(r) : undefined;
}

export function listCrops(db: Db, opts: { datasetId?: number } = {}): CropRow[] {
  const rows = (opts.datasetId === undefined
    ? db.prepare('SELECT * FROM crops ORDER BY id').all()
    : db.prepare('SELECT c.* FROM crops c JOIN images i ON i.id = c.image_id WHERE i.dataset_id = ? ORDER BY c.id').all(opts.datasetId)) as RawCrop[];
  return rows.map(toRow);
}

/**
 * A page of the crops' ids and perceptual hashes in the phash index's order (hash, then id), starting after `after`:
 * read from the index rather than the crops' rows, and a page at a time, so that a caller loading 500,000 of them can
 * give way between pages (an open iterator would keep the shared connection busy meanwhile).
 */
export function cropHashPage(db: Db, after: readonly [phash: string, id: number] | null, limit: number): [id: number, phash: string][] {
  const rows = after
    ? db
        .prepare('SELECT id, phash FROM crops INDEXED BY crops_phash WHERE phash IS NOT NULL AND (phash, id) > (?, ?) ORDER BY phash, id LIMIT ?')
        .raw()
        .all(after[0], after[1], limit)
    : db.prepare('SELECT id, phash FROM crops INDEXED BY crops_phash WHERE phash IS NOT NULL ORDER BY phash, id LIMIT ?').raw().all(limit);
  return rows as [number, string][];
}

/** Adds a flag (if missing) and multiplies the quality by `qualityFactor`. */
export function addCropFlag(db: Db, id: number, flag: string, qualityFactor = 1): void {
  const r = db.prepare('SELECT flags_json, quality FROM crops WHERE id = ?').get(id) as { flags_json: string; quality: number | null } | undefined;
  if (!r) return;
  const flags = parseJson<string[]>(r.flags_json, []);
  if (flags.includes(flag)) return;
  flags.push(flag);
  db.prepare(`UPDATE crops SET flags_json = ?, quality = ?, updated_at = ${NOW} WHERE id = ?`).run(
    JSON.stringify(flags),
    r.quality === null ? null : Math.round(r.quality * qualityFactor * 10000) / 10000,
    id,
  );
}

/** The crop's columns image_id .. phash, in the order the INSERTs above and below list them. */
function cropValues(db: Db, c: CropData): (string | number | null)[] {
  const flags = JSON.stringify(withImportFlags(db, c.imageId, c.flags));
  return [c.imageId, c.faceId, c.file, c.size, JSON.stringify(c.transform), JSON.stringify(c.inverse), JSON.stringify(c.keypoints), JSON.stringify(c.settings), c.quality, JSON.stringify(c.signals), flags, c.phash];
}

/** Inserts a crop cut from hand-placed points for an image that had none: marked edited, the points kept as manual. */
export function insertEditedCrop(db: Db, c: CropData & { manualPoints: Keypoints }): number {
  const row = db
    .prepare(
      `INSERT INTO crops (image_id, face_id, file, size, transform_json, inverse_json, keypoints_json, settings_json,
                          quality, signals_json, flags_json, phash, edited, manual_points_json)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?)
       RETURNING id`,
    )
    .get(...cropValues(db, c), JSON.stringify(c.manualPoints)) as { id: number };
  return row.id;
}

/** The preparation settings most crops of the dataset were cut with (else of the whole catalogue), or null. */
export function commonCropSettings(db: Db, datasetId?: number): Record<string, unknown> | null {
  const pick = (sql: string, ...params: unknown[]): string | undefined =>
    db.prepare(`${sql} GROUP BY c.settings_json ORDER BY COUNT(*) DESC, MAX(c.id) DESC LIMIT 1`).pluck().get(...params) as string | undefined;
  const json =
    (datasetId === undefined ? undefined : pick('SELECT c.settings_json FROM crops c JOIN images i ON i.id = c.image_id WHERE i.dataset_id = ?', datasetId)) ??
    pick('SELECT c.settings_json FROM crops c');
  return json === undefined ? null : parseJson<Record<string, unknown>>(json, {});
}

/** Clears the manual-edit mark of a crop (after it was cut again from the detected points). */
export function clearManualEdit(db: Db, cropId: number): void {
  db.prepare(`UPDATE crops SET edited = 0, manual_points_json = NULL, updated_at = ${NOW} WHERE id = ?`).run(cropId);
}
