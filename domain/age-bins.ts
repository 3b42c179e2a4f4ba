/**
 * The three ways ages are binned, each defined once. They differ on purpose: the catalogue counts and the review filter
 * go up to 90+, the model's age-shift means pool 80-120 (few faces are older), and the evaluation pools 70+.
 */

/** Catalogue statistics, the Datasets chart and the review filter: decades, 90 and over pooled. */
export const DECADE_BINS = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70-79', '80-89', '90+'] as const;
export type DecadeBin = (typeof DECADE_BINS)[number];

/** Index into DECADE_BINS; ages below 0 go to the first bin, 90 and over to the last. */
export function decadeBinIndex(age: number): number {
  return Math.min(DECADE_BINS.length - 1, Math.max(0, Math.floor(age / 10)));
}

export function decadeBin(age: number): DecadeBin {
  return DECADE_BINS[decadeBinIndex(age)]!;
}

/** The model's age bins (the sidecar's per-bin latent means behind the age shift): edges 0-10, ..., 70-80, and 80-120. */
export const AGE_SHIFT_BIN_EDGES: readonly number[] = [0, 10, 20, 30, 40, 50, 60, 70, 80, 120];

/** Index of the bin holding `age` between consecutive `edges`; older than the last edge goes to the last bin. */
export function ageShiftBinIndex(age: number, edges: readonly number[] = AGE_SHIFT_BIN_EDGES): number {
  for (let i = 0; i < edges.length - 1; i++) if (age < edges[i + 1]!) return i;
  return edges.length - 2;
}

/** The evaluation's age bins (per-bin figures and MIG's age factor): decades, 70 and over pooled. */
export const EVAL_AGE_BINS = ['0-9', '10-19', '20-29', '30-39', '40-49', '50-59', '60-69', '70+'] as const;
export type EvalAgeBin = (typeof EVAL_AGE_BINS)[number];

/** Index into EVAL_AGE_BINS. */
export function evalAgeBinIndex(age: number): number {
  return Math.max(0, Math.min(EVAL_AGE_BINS.length - 1, Math.floor(age / 10)));
}
