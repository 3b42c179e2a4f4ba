import { DECADE_BINS, type DecadeBin } from '../domain/age-bins.js';
import type { Counts } from '../domain/counts.js';
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

/** Counts and images without an age, read from image_counts and crop_counts (kept by triggers) in one transaction. */
function readCounts(db: Db, datasetId: number | undefined): Counts & { ageUnknown: number } {
  const params = datasetId === undefined ? [] : [datasetId];
  const zeroG = (): Record<Gender, number> => ({ male: 0, female: 0, unknown: 0 });
  const counts: Counts & { ageUnknown: number } = {
    images: 0,
    byGender: zeroG(),
    byAgeBin: Object.fromEntries(DECADE_BINS.map((b) => [b, 0])) as Record<DecadeBin, number>,
    byAgeBinGender: Object.fromEntries(DECADE_BINS.map((b) => [b, zeroG()])) as Record<DecadeBin, Record<Gender, number>>,
    bySplit: { train: 0, val: 0, test: 0, none: 0 },
    byStatus: { pending: 0, accepted: 0, rejected: 0, 'needs-fix': 0 },
    ageUnknown: 0,
  };
  db.transaction(() => {
    const images = db
      .prepare(`SELECT age_bin AS bin, gender, split, sum(n) AS n FROM image_counts ${datasetId === undefined ? '' : 'WHERE dataset_id = ?'} GROUP BY 1, 2, 3`)
      .all(...params) as { bin: number; gender: Gender; split: Split | 'none'; n: number }[];
    for (const r of images) {
      counts.images += r.n;
      counts.byGender[r.gender] += r.n;
      counts.bySplit[r.split] += r.n;
      const bin = DECADE_BINS[r.bin];
      if (bin) {
        counts.byAgeBin[bin] += r.n;
        counts.byAgeBinGender[bin][r.gender] += r.n;
      } else counts.ageUnknown += r.n;
    }
    const crops = db
      .prepare(`SELECT status, sum(n) AS n FROM crop_counts ${datasetId === undefined ? '' : 'WHERE image_dataset_id = ?'} GROUP BY status`)
      .all(...params) as { status: CropStatus; n: number }[];
    for (const r of crops) counts.byStatus[r.status] = r.n;
  })();
  return counts;
}

/** Counts over the whole catalogue, or one dataset, from image_counts and crop_counts (kept by triggers). */
export function catalogueStats(db: Db, datasetId?: number): CatalogueStats {
  const c = readCounts(db, datasetId);
  const { none, ...named } = c.bySplit;
  return { images: c.images, byGender: c.byGender, byAgeBin: c.byAgeBin, ageUnknown: c.ageUnknown, bySplit: { ...named, unassigned: none }, byStatus: c.byStatus };
}

/**
 * What the Datasets screen charts: image counts by gender, age bin (images without an age are in no bin), age bin and
 * gender crossed, split, and crop counts by status, read from image_counts and crop_counts (kept by triggers).
 */
export function countCatalogue(db: Db, datasetId?: number): Counts {
  const { ageUnknown: _, ...counts } = readCounts(db, datasetId);
  return counts;
}
