import type { Db } from './catalogue.js';
import { cached } from './statements.js';

export interface ImportErrorRow {
  id: number;
  datasetId: number;
  /** Relative to the dataset root, '/'-separated. */
  file: string;
  reason: string;
  createdAt: string;
}

/** Records (or updates) why one file of a dataset could not be imported. */
export function recordImportError(db: Db, datasetId: number, file: string, reason: string): void {
  cached(
    db,
    `INSERT INTO import_errors (dataset_id, file, reason) VALUES (?, ?, ?)
     ON CONFLICT(dataset_id, file) DO UPDATE SET reason = excluded.reason, created_at = excluded.created_at`,
  ).run(datasetId, file, reason);
}

/** Forgets a file's earlier error once it imports (e.g. after the user fixed it). */
export function clearImportError(db: Db, datasetId: number, file: string): void {
  cached(db, 'DELETE FROM import_errors WHERE dataset_id = ? AND file = ?').run(datasetId, file);
}

export function listImportErrors(db: Db, datasetId?: number): ImportErrorRow[] {
  const rows = (datasetId === undefined
    ? db.prepare('SELECT * FROM import_errors ORDER BY id').all()
    : db.prepare('SELECT * FROM import_errors WHERE dataset_id = ? ORDER BY id').all(datasetId)) as {
    id: number;
    dataset_id: number;
    file: string;
    reason: string;
    created_at: string;
  }[];
  return rows.map((r) => ({ id: r.id, datasetId: r.dataset_id, file: r.file, reason: r.reason, createdAt: r.created_at }));
}
