import { DECADE_BINS, type DecadeBin } from '../domain/age-bins.js';
import type { CropStatus } from '../domain/crop-status.js';
import type { Gender } from '../domain/gender.js';
import type { Split } from '../domain/split.js';
import type { Db } from './catalogue.js';

export interface CatalogueStats {
  images: number;
  byGender: Record<Gender, number>;
  byAgeBin: Record<DecadeBin, number>;
  /** Images with no age label (not in any bin). */
  ageUnknown: number;
  bySplit: Record<Split | 'unassigned', number>;
  /** Crops (one per prepared image) by review status. */
  byStatus: Record<CropStatus, number>;
}

/** Counts over the whole catalogue, or one dataset. */
export function catalogueStats(db: Db, datasetId?: number): CatalogueStats {
  const where = datasetId === undefined ? '' : 'WHERE i.dataset_id = ?';
  const params = datasetId === undefined ? [] : [datasetId];
  const stats: CatalogueStats = {
    images: 0,
    byGender: { male: 0, female: 0, unknown: 0 },
    byAgeBin: Object.fromEntries(DECADE_BINS.map((b) => [b, 0])) as Record<DecadeBin, number>,
    ageUnknown: 0,
    bySplit: { train: 0, val: 0, test: 0, unassigned: 0 },
    byStatus: { pending: 0, accepted: 0, rejected: 0, 'needs-fix': 0 },
  };
  stats.images = (db.prepare(`SELECT COUNT(*) FROM images i ${where}`).pluck().get(...params) as number) ?? 0;
  for (const r of db.prepare(`SELECT gender AS k, COUNT(*) AS n FROM images i ${where} GROUP BY gender`).all(...params) as { k: Gender; n: number }[]) {
    stats.byGender[r.k] = r.n;
  }
  const bins = db
    .prepare(`SELECT CASE WHEN age IS NULL THEN -1 ELSE MIN(${DECADE_BINS.length - 1}, MAX(0, CAST(age / 10 AS INTEGER))) END AS k, COUNT(*) AS n FROM images i ${where} GROUP BY k`)
    .all(...params) as { k: number; n: number }[];
  for (const r of bins) {
    if (r.k < 0) stats.ageUnknown = r.n;
    else stats.byAgeBin[DECADE_BINS[r.k]!] += r.n;
  }
  for (const r of db.prepare(`SELECT split AS k, COUNT(*) AS n FROM images i ${where} GROUP BY split`).all(...params) as { k: Split | null; n: number }[]) {
    stats.bySplit[r.k ?? 'unassigned'] = r.n;
  }
  const crops = db
    .prepare(`SELECT c.status AS k, COUNT(*) AS n FROM crops c JOIN images i ON i.id = c.image_id ${where} GROUP BY c.status`)
    .all(...params) as { k: CropStatus; n: number }[];
  for (const r of crops) stats.byStatus[r.k] = r.n;
  return stats;
}
