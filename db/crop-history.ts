/**
 * crop_history: every review change (status, labels, alignment) is recorded as one batch of entries, so that the last
 * batch can be undone.
 */
import { randomUUID } from 'node:crypto';
import type { Db } from './catalogue.js';

export interface BatchResult {
  /** null when nothing changed (no batch recorded). */
  batch: string | null;
  changed: number;
}

/** A new batch id: the kind of change, then a random UUID. */
export function newBatch(kind: string): string {
  return `${kind}:${randomUUID()}`;
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
function lastBatch(db: Db): { batch: string; entries: HistoryEntry[] } | null {
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
