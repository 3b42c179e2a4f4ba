/** The SQL of the review queue: a filter's WHERE clause, a sort's ORDER BY, and the FROM clause the id scan needs. */
import { DECADE_BINS, type DecadeBin } from '../domain/age-bins.js';
import type { ReviewFilter, ReviewSort } from '../domain/review-filter.js';

/** A crop whose estimated age is this far from its label, or whose estimated gender differs, counts as 'mislabel'. */
export const MISLABEL_AGE_GAP = 15;

/** Crops with their images (aliases c and i). */
export const REVIEW_FROM = 'FROM crops c JOIN images i ON i.id = c.image_id';

const MISLABEL_SQL = `(c.est_age IS NOT NULL AND i.age IS NOT NULL AND abs(c.est_age - i.age) >= ${MISLABEL_AGE_GAP})
  OR (c.est_gender IN ('male','female') AND i.gender IN ('male','female') AND c.est_gender <> i.gender)`;

function ageBinClause(bin: DecadeBin): string {
  if (bin === '90+') return 'i.age >= 90';
  const lo = Number(bin.split('-')[0]);
  return `(i.age >= ${lo} AND i.age < ${lo + 10})`;
}

export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(',');
}

/** WHERE clause and parameters for a filter; empty or absent lists do not restrict. */
export function filterSql(filter: ReviewFilter = {}): { where: string; params: unknown[]; needsImages: boolean } {
  const parts: string[] = [];
  const params: unknown[] = [];
  if (filter.datasetId !== undefined) {
    parts.push('i.dataset_id = ?');
    params.push(filter.datasetId);
  }
  if (filter.status?.length) {
    parts.push(`c.status IN (${placeholders(filter.status.length)})`);
    params.push(...filter.status);
  }
  if (filter.genders?.length) {
    parts.push(`i.gender IN (${placeholders(filter.genders.length)})`);
    params.push(...filter.genders);
  }
  if (filter.ageBins?.length) {
    const bins = filter.ageBins.filter((b): b is DecadeBin => (DECADE_BINS as readonly string[]).includes(b));
    parts.push(`(${bins.map(ageBinClause).join(' OR ') || '0'})`);
  }
  if (filter.splits?.length) {
    const named = filter.splits.filter((s) => s !== 'none');
    const ors: string[] = [];
    if (named.length) {
      ors.push(`i.split IN (${placeholders(named.length)})`);
      params.push(...named);
    }
    if (filter.splits.includes('none')) ors.push('i.split IS NULL');
    parts.push(`(${ors.join(' OR ')})`);
  }
  if (filter.flags?.length) {
    const stored = filter.flags.filter((f) => f !== 'mislabel');
    const ors: string[] = [];
    if (stored.length) {
      ors.push(`EXISTS (SELECT 1 FROM json_each(c.flags_json) f WHERE f.value IN (${placeholders(stored.length)}))`);
      params.push(...stored);
    }
    if (filter.flags.includes('mislabel')) ors.push(`(${MISLABEL_SQL})`);
    parts.push(`(${ors.join(' OR ')})`);
  }
  if (filter.edited !== undefined) parts.push(filter.edited ? 'c.edited <> 0' : 'c.edited = 0');
  const where = parts.length ? `WHERE ${parts.join(' AND ')}` : '';
  return { where, params, needsImages: /\bi\./.test(where) };
}

export function orderSql(sort: ReviewSort = 'quality-asc'): string {
  switch (sort) {
    // These two follow the crops_quality index (quality, rowid), so deep pages of a 50,000-crop grid stay fast.
    // Crops without a score come first in quality-asc (they need a look) and last in quality-desc.
    case 'quality-desc':
      return 'ORDER BY c.quality DESC, c.id DESC';
    case 'id':
      return 'ORDER BY c.id';
    case 'age-disagreement':
      return 'ORDER BY (c.est_age IS NULL OR i.age IS NULL), abs(c.est_age - i.age) DESC, c.id';
    default:
      return 'ORDER BY c.quality ASC, c.id ASC';
  }
}

/** FROM clause of the id scan: crops alone when neither the filter nor the order reads image columns. */
export function scanFrom(filter: ReviewFilter | undefined, sort: ReviewSort | undefined): { from: string; where: string; params: unknown[] } {
  const { where, params, needsImages } = filterSql(filter);
  const join = needsImages || sort === 'age-disagreement';
  return { from: join ? REVIEW_FROM : 'FROM crops c', where, params };
}
