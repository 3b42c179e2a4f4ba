/**
 * Mutual Information Gap (Chen et al. 2018): for each factor, the gap between the two latent dimensions that carry
 * the most mutual information about it, divided by the factor's entropy; averaged over factors. Latents are
 * discretised into equal-width histogram bins (the usual estimator); factors must already be discrete.
 */

export interface MigFactor {
  readonly name: string;
  /** One discrete value per sample (e.g. an age-bin index, or 0/1 for gender). */
  readonly values: readonly number[];
}

export interface MigFactorResult {
  readonly name: string;
  readonly mig: number;
  readonly entropy: number;
  /** Index of the latent dimension with the most information about the factor. */
  readonly topDim: number;
  /** The two largest I(z_j; v) in nats. */
  readonly topMi: readonly [number, number];
}

export interface MigResult {
  readonly mig: number;
  readonly factors: MigFactorResult[];
}

/** Equal-width bins over [min, max] of each column; latents is samples x dims. */
export function discretise(latents: readonly ArrayLike<number>[], bins: number): Int32Array[] {
  const n = latents.length;
  const dims = latents[0]?.length ?? 0;
  const cols: Int32Array[] = [];
  for (let j = 0; j < dims; j++) {
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const v = latents[i]![j]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const col = new Int32Array(n);
    const width = hi > lo ? (hi - lo) / bins : 1;
    for (let i = 0; i < n; i++) col[i] = Math.min(bins - 1, Math.floor((latents[i]![j]! - lo) / width));
    cols.push(col);
  }
  return cols;
}

function codes(values: readonly number[]): { codes: Int32Array; k: number } {
  const map = new Map<number, number>();
  const out = new Int32Array(values.length);
  values.forEach((v, i) => {
    let c = map.get(v);
    if (c === undefined) {
      c = map.size;
      map.set(v, c);
    }
    out[i] = c;
  });
  return { codes: out, k: map.size };
}

export function entropy(c: Int32Array, k: number): number {
  const counts = new Float64Array(k);
  for (const v of c) counts[v]! += 1;
  let h = 0;
  for (const n of counts) if (n > 0) h -= (n / c.length) * Math.log(n / c.length);
  return h;
}

/** Plug-in mutual information (nats) of two discrete variables. */
export function mutualInformation(x: Int32Array, kx: number, y: Int32Array, ky: number): number {
  const n = x.length;
  const joint = new Float64Array(kx * ky);
  const px = new Float64Array(kx);
  const py = new Float64Array(ky);
  for (let i = 0; i < n; i++) {
    joint[x[i]! * ky + y[i]!]! += 1;
    px[x[i]!]! += 1;
    py[y[i]!]! += 1;
  }
  let mi = 0;
  for (let a = 0; a < kx; a++) {
    for (let b = 0; b < ky; b++) {
      const j = joint[a * ky + b]!;
      if (j > 0) mi += (j / n) * Math.log((j * n) / (px[a]! * py[b]!));
    }
  }
  return Math.max(0, mi);
}

export function mig(latents: readonly ArrayLike<number>[], factors: readonly MigFactor[], bins = 20): MigResult {
  if (latents.length < 2) throw new Error('MIG needs at least two samples');
  const dims = latents[0]!.length;
  if (dims < 2) throw new Error('MIG needs at least two latent dimensions');
  const z = discretise(latents, bins);
  const results: MigFactorResult[] = factors.map((factor) => {
    if (factor.values.length !== latents.length) throw new Error(`factor ${factor.name}: ${factor.values.length} values for ${latents.length} samples`);
    const { codes: v, k } = codes(factor.values);
    const h = entropy(v, k);
    const mis = z.map((col) => mutualInformation(col, bins, v, k));
    const order = mis.map((m, j) => [m, j] as const).sort((p, q) => q[0] - p[0]);
    const first = order[0]!;
    const second = order[1]!;
    return { name: factor.name, mig: h > 0 ? (first[0] - second[0]) / h : 0, entropy: h, topDim: first[1], topMi: [first[0], second[0]] };
  });
  const valid = results.filter((r) => r.entropy > 0);
  return { mig: valid.length > 0 ? valid.reduce((s, r) => s + r.mig, 0) / valid.length : 0, factors: results };
}
