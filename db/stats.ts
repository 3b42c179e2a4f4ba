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

/** An image's decade bin (an index into DECADE_BINS), -1 when it has no age. */
const DECADE_SQL = `CASE WHEN age IS NULL THEN -1 ELSE MIN(${DECADE_BINS.length - 1}, MAX(0, CAST(age / 10 AS INTEGER))) END`;

/** The WHERE clause (over images i) and its parameters that limit a count to one dataset, or to none. */
function scope(datasetId: number | undefined): { where: string; params: number[] } {
  return datasetId === undefined ? { where: '', params: [] } : { where: 'WHERE i.dataset_id = ?', params: [datasetId] };
}

/** Counts over the whole catalogue, or one dataset. */
export function catalogueStats(db: Db, datasetId?: number): CatalogueStats {
  const { where, params } = scope(datasetId);
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
    .prepare(`SELECT ${DECADE_SQL} AS k, COUNT(*) AS n FROM images i ${where} GROUP BY k`)
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

/** What the Datasets screen charts: catalogueStats plus images by age bin and gender, read in one transaction. */
export function countCatalogue(db: Db, datasetId?: number): Counts {
  return db.transaction((): Counts => {
    const s = catalogueStats(db, datasetId);
    const byAgeBinGender = Object.fromEntries(DECADE_BINS.map((b) => [b, { male: 0, female: 0, unknown: 0 }])) as Record<DecadeBin, Record<Gender, number>>;
    const { where, params } = scope(datasetId);
    const rows = db
      .prepare(`SELECT ${DECADE_SQL} AS k, gender AS g, COUNT(*) AS n FROM images i ${where} GROUP BY k, g`)
      .all(...params) as { k: number; g: Gender; n: number }[];
    for (const r of rows) if (r.k >= 0) byAgeBinGender[DECADE_BINS[r.k]!][r.g] += r.n;
    const { unassigned, ...named } = s.bySplit;
    return { images: s.images, byGender: s.byGender, byAgeBin: s.byAgeBin, byAgeBinGender, bySplit: { ...named, none: unassigned }, byStatus: s.byStatus };
  })();
}
