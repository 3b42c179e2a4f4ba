import crypto from 'node:crypto';
import type { Db } from './catalogue.js';
import type { Split } from '../domain/split.js';

export const SPLIT_SEED = 'chronoface-split-v1';
export const SPLIT_RATIOS: Readonly<Record<Split, number>> = { train: 0.8, val: 0.1, test: 0.1 };
const ORDER: readonly Split[] = ['train', 'val', 'test'];

function seededKey(seed: string, datasetId: number, key: string): string {
  return crypto.createHash('sha1').update(`${seed}\0${datasetId}\0${key}`).digest('hex');
}

interface Unit {
  key: string;
  ids: number[];
  /** A split some of the unit's images already have (the most common), kept for the rest. */
  existing?: Split;
}

/**
 * Assigns train/val/test to the dataset's images that have none and stores it. Units are subjects when the images
 * have one (so no person spans two splits), else single images (byte-identical copies together). Units are ordered by a seeded hash and each goes to the
 * split least filled relative to its 80/10/10 share of the dataset's images (so small sets still get a val and a
 * test subject), counting the images already split: deterministic for the same
 * data and safe to re-run (only unsplit images change). Returns how many images were assigned per split.
 */
export function assignSplits(db: Db, datasetId: number, seed = SPLIT_SEED): Record<Split, number> {
  const rows = db.prepare('SELECT id, content_hash, subject, split FROM images WHERE dataset_id = ?').all(datasetId) as {
    id: number;
    content_hash: string;
    subject: string | null;
    split: Split | null;
  }[];
  const assigned: Record<Split, number> = { train: 0, val: 0, test: 0 };
  const counts: Record<Split, number> = { train: 0, val: 0, test: 0 };
  const bySubject = new Map<string, { ids: number[]; splits: Map<Split, number> }>();
  const units: Unit[] = [];
  const byBytes = new Map<string, Unit>();
  for (const r of rows) {
    if (r.split) counts[r.split]++;
    if (r.subject !== null && r.subject !== '') {
      let s = bySubject.get(r.subject);
      if (!s) bySubject.set(r.subject, (s = { ids: [], splits: new Map() }));
      if (r.split) s.splits.set(r.split, (s.splits.get(r.split) ?? 0) + 1);
      else s.ids.push(r.id);
    } else if (!r.split) {
      // Byte-identical entries (same sha1 before any '-' suffix) share a unit, so one photo never spans two splits.
      const key = `image:${r.content_hash.slice(0, 40)}`;
      const unit = byBytes.get(key);
      if (unit) unit.ids.push(r.id);
      else {
        const u: Unit = { key, ids: [r.id] };
        byBytes.set(key, u);
        units.push(u);
      }
    }
  }
  for (const [subject, s] of bySubject) {
    if (s.ids.length === 0) continue;
    const existing = [...s.splits.entries()].sort((a, b) => b[1] - a[1] || ORDER.indexOf(a[0]) - ORDER.indexOf(b[0]))[0]?.[0];
    units.push({ key: `subject:${subject}`, ids: s.ids, ...(existing ? { existing } : {}) });
  }
  if (units.length === 0) return assigned;
  const keyed = units.map((u) => ({ u, h: seededKey(seed, datasetId, u.key) })).sort((a, b) => (a.h < b.h ? -1 : a.h > b.h ? 1 : 0));
  const update = db.prepare('UPDATE images SET split = ? WHERE id = ? AND split IS NULL');
  db.transaction(() => {
    for (const { u } of keyed) {
      let split = u.existing;
      if (!split) {
        const fill = (s: Split): number => counts[s] / (SPLIT_RATIOS[s] * rows.length);
        split = ORDER.reduce((best, s) => (fill(s) < fill(best) ? s : best));
      }
      for (const id of u.ids) update.run(split, id);
      counts[split] += u.ids.length;
      assigned[split] += u.ids.length;
    }
  })();
  return assigned;
}

/** Subjects of a dataset that appear in more than one split (should be none). */
export function subjectsInSeveralSplits(db: Db, datasetId: number): string[] {
  return db
    .prepare(
      `SELECT subject FROM images WHERE dataset_id = ? AND subject IS NOT NULL AND split IS NOT NULL
       GROUP BY subject HAVING COUNT(DISTINCT split) > 1 ORDER BY subject`,
    )
    .pluck()
    .all(datasetId) as string[];
}
