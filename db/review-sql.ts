/**
 * The SQL of the review queue: a filter's WHERE clause and a sort's ORDER BY over the crops' own review columns
 * (migration 5): the image's dataset, gender, age bin and split copied onto the crop, and the flags as bits. The same
 * WHERE clause (alias `c`) reads crops for a page and crop_counts for its total.
 */
import { DECADE_BINS } from '../domain/age-bins.js';
import { CROP_FLAGS, type KnownCropFlag } from '../domain/crop-flags.js';
import type { ReviewFilter, ReviewSort } from '../domain/review-filter.js';

/** A crop whose estimated age is this far from its label, or whose estimated gender differs, counts as 'mislabel' (migration 5). */
export const MISLABEL_AGE_GAP = 15;
/** Each crop flag's bit in crops.flag_bits and review_flags: bit i for CROP_FLAGS[i], as migration 5's SQL stores them. */
export const FLAG_BITS: Readonly<Record<KnownCropFlag, number>> = Object.fromEntries(CROP_FLAGS.map((f, i) => [f, 1 << i])) as Record<KnownCropFlag, number>;

/** Crops with their images (aliases c and i). */
export const REVIEW_FROM = 'FROM crops c JOIN images i ON i.id = c.image_id';

export function placeholders(n: number): string {
  return Array.from({ length: n }, () => '?').join(',');
}

/** WHERE clause and parameters for a filter; empty or absent lists do not restrict. Throws RangeError on an unknown flag. */
export function filterSql(filter: ReviewFilter = {}): { where: string; params: unknown[] } {
  const parts: string[] = [];
  const params: unknown[] = [];
  const oneOf = (column: string, values: readonly unknown[]): void => {
    parts.push(`${column} IN (${placeholders(values.length)})`);
    params.push(...values);
  };
  if (filter.datasetId !== undefined) {
    parts.push('c.image_dataset_id = ?');
    params.push(filter.datasetId);
  }
  if (filter.status?.length) oneOf('c.status', filter.status);
  if (filter.genders?.length) oneOf('c.image_gender', filter.genders);
  if (filter.ageBins?.length) oneOf('c.age_bin', filter.ageBins.map((b) => DECADE_BINS.indexOf(b)));
  if (filter.splits?.length) oneOf('c.image_split', filter.splits);
  if (filter.flags?.length) {
    let mask = 0;
    for (const f of filter.flags) {
      const bit = (FLAG_BITS as Readonly<Record<string, number | undefined>>)[f];
      if (bit === undefined) throw new RangeError(`unknown flag "${f}": the flags are ${Object.keys(FLAG_BITS).join(', ')}`);
      mask |= bit;
    }
    parts.push('(c.review_flags & ?) <> 0');
    params.push(mask);
  }
  if (filter.edited !== undefined) parts.push(filter.edited ? 'c.edited <> 0' : 'c.edited = 0');
  return { where: parts.length ? `WHERE ${parts.join(' AND ')}` : '', params };
}

/** The columns of crop_counts' key, which lead the crops_review_groups index (migration 5). */
export const REVIEW_GROUP_COLUMNS = 'status, image_gender, age_bin, image_split, image_dataset_id, edited, review_flags';

/** Each sort's terms (crops without a score come first in quality-asc: they need a look) and the index in that order. */
const SORTS: Record<ReviewSort, { terms: [string, 'ASC' | 'DESC'][]; index: string }> = {
  'quality-asc': { terms: [['c.quality', 'ASC'], ['c.id', 'ASC']], index: 'crops_review_quality' },
  'quality-desc': { terms: [['c.quality', 'DESC'], ['c.id', 'DESC']], index: 'crops_review_quality' },
  id: { terms: [['c.id', 'ASC']], index: 'crops_review_id' },
  'age-disagreement': {
    terms: [['(c.est_age IS NULL OR c.image_age IS NULL)', 'ASC'], ['abs(c.est_age - c.image_age)', 'DESC'], ['c.id', 'ASC']],
    index: 'crops_review_disagreement',
  },
};

/** ORDER BY of a sort, or of its exact reverse. */
export function orderSql(sort: ReviewSort = 'quality-asc', reverse = false): string {
  const flip = (d: 'ASC' | 'DESC'): string => (reverse ? (d === 'ASC' ? 'DESC' : 'ASC') : d);
  return `ORDER BY ${SORTS[sort].terms.map(([t, d]) => `${t} ${flip(d)}`).join(', ')}`;
}

/**
 * Filters matching at most this many crops are read through crops_review_groups and sorted (about 5 ms at 12,000);
 * others in sort order, where a page costs at most half the index (about 20 ms at 500,000 crops).
 */
export const GROUP_SEEK_LIMIT = 12_000;

/**
 * The query for the ids of one page, given the filter's exact total: a rare filter seeks the crops of its groups
 * (crop_counts) and sorts them; a common one walks the sort's covering index, from the end when the page lies in the
 * second half (then `reversed`: the ids come back last first).
 */
export function pageIdsSql(
  filter: { where: string; params: unknown[] },
  sort: ReviewSort = 'quality-asc',
  page: { total: number; offset: number; limit: number },
  groupSeekLimit = GROUP_SEEK_LIMIT,
): { sql: string; params: unknown[]; reversed: boolean } {
  const { where, params } = filter;
  const limit = Math.min(page.limit, page.total - page.offset);
  if (page.total <= groupSeekLimit) {
    const groups = `(${REVIEW_GROUP_COLUMNS}) IN (SELECT ${REVIEW_GROUP_COLUMNS} FROM crop_counts c ${where ? `${where} AND` : 'WHERE'} c.n > 0)`;
    return {
      sql: `SELECT c.id FROM crops c INDEXED BY crops_review_groups WHERE ${groups} ${orderSql(sort)} LIMIT ? OFFSET ?`,
      params: [...params, limit, page.offset],
      reversed: false,
    };
  }
  const reversed = page.offset + limit / 2 > page.total / 2;
  return {
    sql: `SELECT c.id FROM crops c INDEXED BY ${SORTS[sort].index} ${where} ${orderSql(sort, reversed)} LIMIT ? OFFSET ?`,
    params: [...params, limit, reversed ? page.total - page.offset - limit : page.offset],
    reversed,
  };
}
