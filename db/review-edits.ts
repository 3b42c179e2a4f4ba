/** Review changes to crops and their labels, each recorded in crop_history as one undoable batch. */
import type { CropStatus } from '../domain/crop-status.js';
import { GENDERS, type Gender } from '../domain/gender.js';
import type { ReviewFilter } from '../domain/review-filter.js';
import type { Db } from './catalogue.js';
import { newBatch, type BatchResult } from './crop-history.js';
import { validateAge } from './images.js';
import { filterSql } from './review-sql.js';

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
