import { describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { addCropFlag, upsertCrop, type CropData } from '../db/crops.js';
import { cropData } from './helpers/crop-data.js';
import { deleteDataset, ensureDataset } from '../db/datasets.js';
import { insertImages, updateImageLabels, type NewImage } from '../db/images.js';
import { undoLastBatch } from '../db/crop-history.js';
import { listReview } from '../db/review.js';
import { setCropLabels, setCropStatus, setStatusByFilter } from '../db/review-edits.js';
import { filterSql, pageIdsSql } from '../db/review-sql.js';
import { assignSplits } from '../db/splits.js';
import { catalogueStats, countCatalogue } from '../db/stats.js';
import { DECADE_BINS as AGE_BIN_NAMES } from '../domain/age-bins.js';
import type { Gender } from '../domain/gender.js';
import type { ReviewFilter, ReviewSort } from '../domain/review-filter.js';
import { tempDir } from './helpers/env.js';

const FLAGS = ['no-face', 'several-faces', 'profile', 'tiny', 'blurry', 'dark', 'duplicate', 'mislabel'];
const FILTERS: ReviewFilter[] = [
  {},
  ...(['pending', 'accepted', 'rejected', 'needs-fix'] as const).map((s) => ({ status: [s] })),
  ...(['male', 'female', 'unknown'] as const).map((g) => ({ genders: [g] })),
  ...(['train', 'val', 'test', 'none'] as const).map((s) => ({ splits: [s] })),
  ...AGE_BIN_NAMES.map((b) => ({ ageBins: [b] })),
  ...FLAGS.map((f) => ({ flags: [f] })),
  { edited: true },
  { edited: false },
  { datasetId: 1 },
  { status: ['pending', 'needs-fix'], genders: ['female', 'unknown'], ageBins: ['20-29', '90+'], splits: ['train', 'none'] },
  { flags: ['blurry', 'mislabel'], datasetId: 2 },
];
const SORTS: ReviewSort[] = ['quality-asc', 'quality-desc', 'id', 'age-disagreement'];

/** The same filter written straight over crops JOIN images: the reference the review columns must agree with. */
function reference(db: Db, f: ReviewFilter, sort: ReviewSort): number[] {
  const where: string[] = [];
  const params: unknown[] = [];
  const list = (sql: string, values: readonly unknown[]) => {
    where.push(`${sql} IN (${values.map(() => '?').join(',')})`);
    params.push(...values);
  };
  if (f.datasetId !== undefined) (where.push('i.dataset_id = ?'), params.push(f.datasetId));
  if (f.status?.length) list('c.status', f.status);
  if (f.genders?.length) list('i.gender', f.genders);
  if (f.ageBins?.length) list(`CASE WHEN i.age IS NULL THEN -1 ELSE min(9, CAST(i.age / 10 AS INTEGER)) END`, f.ageBins.map((b) => AGE_BIN_NAMES.indexOf(b)));
  if (f.splits?.length) list(`coalesce(i.split, 'none')`, f.splits);
  if (f.flags?.length) {
    const derived = `((c.est_age IS NOT NULL AND i.age IS NOT NULL AND abs(c.est_age - i.age) >= 15) OR (c.est_gender IN ('male','female') AND i.gender IN ('male','female') AND c.est_gender <> i.gender))`;
    where.push(`(EXISTS (SELECT 1 FROM json_each(c.flags_json) j WHERE j.value IN (${f.flags.map(() => '?').join(',')}))${f.flags.includes('mislabel') ? ` OR ${derived}` : ''})`);
    params.push(...f.flags);
  }
  if (f.edited !== undefined) where.push(f.edited ? 'c.edited <> 0' : 'c.edited = 0');
  const order = {
    'quality-asc': 'c.quality ASC, c.id ASC',
    'quality-desc': 'c.quality DESC, c.id DESC',
    id: 'c.id',
    'age-disagreement': '(c.est_age IS NULL OR i.age IS NULL), abs(c.est_age - i.age) DESC, c.id',
  }[sort];
  return db
    .prepare(`SELECT c.id FROM crops c JOIN images i ON i.id = c.image_id ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order}`)
    .pluck()
    .all(...params) as number[];
}

function expectConsistent(db: Db, step: string): void {
  for (const filter of FILTERS) {
    for (const sort of SORTS) {
      const want = reference(db, filter, sort);
      const page = listReview(db, { filter, sort, offset: 3, limit: 40 });
      expect({ step, filter, sort, total: page.total, ids: page.rows.map((r) => r.id) }).toEqual({ step, filter, sort, total: want.length, ids: want.slice(3, 43) });
      // The path for common filters (the sort's index, walked from the end for pages in the second half), forced.
      for (const offset of [0, Math.floor(want.length / 2) - 5, want.length - 7]) {
        if (offset < 0 || offset >= want.length) continue;
        const q = pageIdsSql(filterSql(filter), sort, { total: want.length, offset, limit: 10 }, 0);
        const ids = db.prepare(q.sql).pluck().all(...q.params) as number[];
        if (q.reversed) ids.reverse();
        expect({ step, filter, sort, offset, ids }).toEqual({ step, filter, sort, offset, ids: want.slice(offset, offset + 10) });
      }
    }
  }
  const images = db
    .prepare(`SELECT CASE WHEN age IS NULL THEN -1 ELSE min(9, CAST(age / 10 AS INTEGER)) END AS bin, gender, coalesce(split, 'none') AS split, dataset_id FROM images`)
    .all() as { bin: number; gender: Gender; split: string; dataset_id: number }[];
  for (const datasetId of [undefined, 1, 2]) {
    const mine = images.filter((r) => datasetId === undefined || r.dataset_id === datasetId);
    const counts = countCatalogue(db, datasetId);
    const stats = catalogueStats(db, datasetId);
    const tally = <K extends string>(keys: readonly K[], of: (r: (typeof mine)[number]) => string) => Object.fromEntries(keys.map((k) => [k, mine.filter((r) => of(r) === k).length]));
    expect({ step, datasetId, images: counts.images, gender: counts.byGender, split: counts.bySplit }).toEqual({
      step,
      datasetId,
      images: mine.length,
      gender: tally(['male', 'female', 'unknown'], (r) => r.gender),
      split: tally(['train', 'val', 'test', 'none'], (r) => r.split),
    });
    expect(counts.byAgeBin).toEqual(tally(AGE_BIN_NAMES, (r) => AGE_BIN_NAMES[r.bin] ?? ''));
    expect(stats.ageUnknown).toBe(mine.filter((r) => r.bin < 0).length);
    expect(stats.byAgeBin).toEqual(counts.byAgeBin);
    const statuses = db
      .prepare(`SELECT c.status AS s, COUNT(*) AS n FROM crops c JOIN images i ON i.id = c.image_id ${datasetId === undefined ? '' : 'WHERE i.dataset_id = ?'} GROUP BY 1`)
      .all(...(datasetId === undefined ? [] : [datasetId])) as { s: string; n: number }[];
    const byStatus = { pending: 0, accepted: 0, rejected: 0, 'needs-fix': 0, ...Object.fromEntries(statuses.map((r) => [r.s, r.n])) };
    expect({ step, datasetId, byStatus: counts.byStatus }).toEqual({ step, datasetId, byStatus });
    expect(stats.byStatus).toEqual(byStatus);
  }
}

function crop(imageId: number, k: number): CropData {
  return cropData(imageId, {
    // Repeated qualities, so the id breaks ties.
    quality: ((k * 37) % 11) / 10,
    flags: FLAGS.filter((_, b) => (k * 7 + b * 3) % 9 === 0).filter((f) => f !== 'mislabel'),
  });
}

describe('review columns, crop_counts and image_counts (migration 4)', () => {
  it('agree with the same questions asked of crops JOIN images, through every kind of change', () => {
    const db = openCatalogue(tempDir('review-counts'));
    try {
      const ds = [ensureDataset(db, { root: '/a', format: 'utkface' }).id, ensureDataset(db, { root: '/b', format: 'imdb-wiki' }).id];
      const genders: Gender[] = ['male', 'female', 'unknown'];
      const images: NewImage[] = Array.from({ length: 90 }, (_, k) => ({
        datasetId: ds[k % 2]!,
        relPath: `${k}.jpg`,
        contentHash: `hash${k}`,
        width: 64,
        height: 64,
        format: 'jpeg',
        age: k % 13 === 0 ? null : (k * 17) % 105,
        gender: genders[k % 3]!,
        subject: `s${k % 20}`,
        split: k % 4 === 0 ? null : (['train', 'val', 'test'] as const)[k % 3]!,
        flags: k % 10 === 0 ? ['mislabel'] : k % 15 === 0 ? ['no-face'] : [],
      }));
      const ids = insertImages(db, images) as number[];
      expectConsistent(db, 'images only');

      db.transaction(() => ids.slice(0, 70).forEach((id, k) => upsertCrop(db, crop(id, k))))();
      const raw = db.prepare(`INSERT INTO crops (image_id, file, size, transform_json, inverse_json, keypoints_json, settings_json, quality, flags_json) VALUES (?, 'x.png', 64, '[]', '[]', '{}', '{}', ?, ?)`);
      ids.slice(70, 80).forEach((id, k) => raw.run(id, k / 10, k % 2 ? '["dark","dark"]' : '[]'));
      const est = db.prepare('UPDATE crops SET est_age = ?, est_gender = ? WHERE id = ?');
      for (let c = 1; c <= 80; c += 2) est.run(c % 5 === 0 ? null : (c * 13) % 90, ['male', 'female', null][c % 3] ?? null, c);
      db.prepare('UPDATE crops SET edited = 1 WHERE id % 9 = 0').run();
      expectConsistent(db, 'crops');

      setCropStatus(db, [1, 2, 3, 10, 20, 30], 'accepted');
      setStatusByFilter(db, { genders: ['female'], ageBins: ['20-29', '30-39'] }, 'rejected');
      setStatusByFilter(db, { flags: ['mislabel'] }, 'needs-fix');
      expectConsistent(db, 'statuses');

      setCropLabels(db, 4, { age: 95, gender: 'female' });
      setCropLabels(db, 5, { age: null });
      updateImageLabels(db, ids[6]!, { age: 3, gender: 'unknown' });
      addCropFlag(db, 7, 'duplicate', 0.5);
      upsertCrop(db, { ...crop(ids[8]!, 3), flags: ['profile'], quality: 0.05 });
      expectConsistent(db, 'labels and flags');

      expect(undoLastBatch(db).kind).toBe('labels');
      expect(undoLastBatch(db).kind).toBe('labels');
      const needsFix = db.prepare(`SELECT COUNT(*) FROM crops WHERE status = 'needs-fix'`).pluck().get() as number;
      const statusUndo = undoLastBatch(db);
      expect(statusUndo.kind).toBe('status');
      expect(db.prepare(`SELECT COUNT(*) FROM crops WHERE status = 'needs-fix'`).pluck().get()).toBe(needsFix - statusUndo.entries.length);
      expect(statusUndo.entries.length).toBeGreaterThan(0);
      expectConsistent(db, 'undo');

      assignSplits(db, ds[0]!);
      assignSplits(db, ds[1]!);
      db.prepare('DELETE FROM crops WHERE id IN (11, 12, 13)').run();
      db.prepare('UPDATE images SET dataset_id = ? WHERE id = ?').run(ds[0], ids[1]);
      expectConsistent(db, 'splits, deletes, a move');

      deleteDataset(db, ds[1]!);
      expectConsistent(db, 'dataset deleted');
      expect(db.prepare('SELECT sum(n) FROM crop_counts').pluck().get()).toBe(db.prepare('SELECT COUNT(*) FROM crops').pluck().get());
    } finally {
      db.close();
    }
  });

  it('refuses a flag it does not know', () => {
    const db = openCatalogue(tempDir('review-flag'));
    try {
      expect(() => listReview(db, { filter: { flags: ['sunglasses'] }, offset: 0, limit: 10 })).toThrow(
        'unknown flag "sunglasses": the flags are no-face, several-faces, profile, tiny, blurry, dark, duplicate, mislabel',
      );
    } finally {
      db.close();
    }
  });
});
