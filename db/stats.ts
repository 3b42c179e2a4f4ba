import type { Db } from './catalogue.js';
import type { Gender, Split } from './images.js';

export const AGE_BINS = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+'] as const;
export type AgeBin = (typeof AGE_BINS)[number];
export type CropStatus = 'pending' | 'accepted' | 'rejected' | 'needs-fix';

export interface CatalogueStats {
  images: number;
  byGender: Record<Gender, number>;
  byAgeBin: Record<AgeBin, number>;
  /** Images with no age label (not in any bin). */
  ageUnknown: number;
  bySplit: Record<Split | 'unassigned', number>;
  /** Crops (one per prepared image) by review status. */
  byStatus: Record<CropStatus, number>;
}

export function ageBin(age: number): AgeBin {
  return AGE_BINS[Math.min(9, Math.max(0, Math.floor(age / 10)))]!;
}

/** Counts over the whole catalogue, or one dataset, from image_counts and crop_counts (kept by triggers). */
export function catalogueStats(db: Db, datasetId?: number): CatalogueStats {
  const params = datasetId === undefined ? [] : [datasetId];
  const stats: CatalogueStats = {
    images: 0,
    byGender: { male: 0, female: 0, unknown: 0 },
    byAgeBin: Object.fromEntries(AGE_BINS.map((b) => [b, 0])) as Record<AgeBin, number>,
    ageUnknown: 0,
    bySplit: { train: 0, val: 0, test: 0, unassigned: 0 },
    byStatus: { pending: 0, accepted: 0, rejected: 0, 'needs-fix': 0 },
  };
  db.transaction(() => {
    const images = db
      .prepare(`SELECT age_bin AS bin, gender, split, sum(n) AS n FROM image_counts ${datasetId === undefined ? '' : 'WHERE dataset_id = ?'} GROUP BY 1, 2, 3`)
      .all(...params) as { bin: number; gender: Gender; split: Split | 'none'; n: number }[];
    for (const r of images) {
      stats.images += r.n;
      stats.byGender[r.gender] += r.n;
      stats.bySplit[r.split === 'none' ? 'unassigned' : r.split] += r.n;
      if (r.bin < 0) stats.ageUnknown += r.n;
      else stats.byAgeBin[AGE_BINS[r.bin]!] += r.n;
    }
    const crops = db
      .prepare(`SELECT status, sum(n) AS n FROM crop_counts ${datasetId === undefined ? '' : 'WHERE image_dataset_id = ?'} GROUP BY status`)
      .all(...params) as { status: CropStatus; n: number }[];
    for (const r of crops) stats.byStatus[r.status] = r.n;
  })();
  return stats;
}
