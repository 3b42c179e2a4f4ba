import path from 'node:path';
import type { Db } from './catalogue.js';
import type { DatasetFormat } from '../domain/dataset-format.js';
import { parseJson } from './catalogue.js';

export interface DatasetRow {
  id: number;
  name: string;
  format: DatasetFormat;
  /** Absolute folder the dataset was imported from; image source paths are stored relative to it. */
  root: string;
  options: Record<string, unknown>;
  createdAt: string;
}

export interface DatasetSummary extends DatasetRow {
  images: number;
  errors: number;
}

interface RawDataset {
  id: number;
  name: string;
  format: DatasetFormat;
  root: string;
  options_json: string;
  created_at: string;
}

function toRow(r: RawDataset): DatasetRow {
  return { id: r.id, name: r.name, format: r.format, root: r.root, options: parseJson(r.options_json, {}), createdAt: r.created_at };
}

export function listDatasets(db: Db): DatasetSummary[] {
  const rows = db
    .prepare(
      `SELECT d.*,
        (SELECT COUNT(*) FROM images i WHERE i.dataset_id = d.id) AS images,
        (SELECT COUNT(*) FROM import_errors e WHERE e.dataset_id = d.id) AS errors
       FROM datasets d ORDER BY d.id`,
    )
    .all() as (RawDataset & { images: number; errors: number })[];
  return rows.map((r) => ({ ...toRow(r), images: r.images, errors: r.errors }));
}

export function getDataset(db: Db, id: number): DatasetRow | undefined {
  const r = db.prepare('SELECT * FROM datasets WHERE id = ?').get(id) as RawDataset | undefined;
  return r ? toRow(r) : undefined;
}

export function getDatasetByRoot(db: Db, root: string): DatasetRow | undefined {
  const r = db.prepare('SELECT * FROM datasets WHERE root = ?').get(path.resolve(root)) as RawDataset | undefined;
  return r ? toRow(r) : undefined;
}

/**
 * The dataset for this root, created if new. A dataset is known by its absolute root, so importing the same folder
 * again (or resuming a killed import) reuses it; format and options are updated to the latest import's.
 */
export function ensureDataset(
  db: Db,
  input: { root: string; format: DatasetFormat; name?: string; options?: Record<string, unknown> },
): DatasetRow {
  const root = path.resolve(input.root);
  const name = input.name ?? path.basename(root);
  const options = JSON.stringify(input.options ?? {});
  db.prepare(
    `INSERT INTO datasets (name, format, root, options_json) VALUES (?, ?, ?, ?)
     ON CONFLICT(root) DO UPDATE SET format = excluded.format, options_json = excluded.options_json`,
  ).run(name, input.format, root, options);
  return getDatasetByRoot(db, root)!;
}

/** Deletes a dataset with its images, faces, crops and errors (ON DELETE CASCADE). Crop files are the caller's. */
export function deleteDataset(db: Db, id: number): boolean {
  return db.prepare('DELETE FROM datasets WHERE id = ?').run(id).changes > 0;
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

export function datasetCount(db: Db): number {
  return db.prepare('SELECT COUNT(*) FROM datasets').pluck().get() as number;
}
