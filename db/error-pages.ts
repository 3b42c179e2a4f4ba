/** The errors of imports and preparation, a page at a time for the Datasets screen. */
import type { Db } from './catalogue.js';

export interface ErrorPageOptions {
  datasetId?: number;
  offset?: number;
  /** Default 200. */
  limit?: number;
}

/** The number of rows of `table` under `where`, and one page of them in id order. */
function pageOf<R>(db: Db, table: string, columns: string, where: string, params: unknown[], opts: ErrorPageOptions): { total: number; rows: R[] } {
  const total = (db.prepare(`SELECT COUNT(*) AS n FROM ${table} ${where}`).get(...params) as { n: number }).n;
  const rows = db.prepare(`SELECT ${columns} FROM ${table} ${where} ORDER BY id LIMIT ? OFFSET ?`).all(...params, opts.limit ?? 200, opts.offset ?? 0) as R[];
  return { total, rows };
}

export interface PrepareErrorRow {
  imageId: number;
  datasetId: number;
  file: string;
  reason: string;
}

/** Images whose preparation failed, with the reason. */
export function listPrepareErrors(db: Db, opts: ErrorPageOptions = {}): { total: number; rows: PrepareErrorRow[] } {
  const where = `WHERE prepare_status = 'failed'${opts.datasetId === undefined ? '' : ' AND dataset_id = ?'}`;
  const params = opts.datasetId === undefined ? [] : [opts.datasetId];
  const page = pageOf<{ id: number; dataset_id: number; source_path: string; prepare_error: string | null }>(db, 'images', 'id, dataset_id, source_path, prepare_error', where, params, opts);
  return {
    total: page.total,
    rows: page.rows.map((r) => ({ imageId: r.id, datasetId: r.dataset_id, file: r.source_path, reason: r.prepare_error ?? 'failed' })),
  };
}

/** Files an import could not catalogue, with the reason. */
export function listImportErrorsPage(db: Db, opts: ErrorPageOptions = {}): {
  total: number;
  rows: { datasetId: number; file: string; reason: string; at: string }[];
} {
  const where = opts.datasetId === undefined ? '' : 'WHERE dataset_id = ?';
  const params = opts.datasetId === undefined ? [] : [opts.datasetId];
  const page = pageOf<{ dataset_id: number; file: string; reason: string; created_at: string }>(db, 'import_errors', 'dataset_id, file, reason, created_at', where, params, opts);
  return { total: page.total, rows: page.rows.map((r) => ({ datasetId: r.dataset_id, file: r.file, reason: r.reason, at: r.created_at })) };
}
