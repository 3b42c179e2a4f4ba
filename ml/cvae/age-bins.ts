import { AGE_SHIFT_BIN_EDGES, ageShiftBinIndex } from '../../domain/age-bins.js';
import type { AgeBin } from './sidecar.js';

export interface LatentSample {
  age: number;
  /** 0 male, 1 female, 0.5 unknown (the condition's coding) */
  gender: number;
  /** UTKFace's race code 0-4, or null */
  race: number | null;
}

const RACES = 5;

/**
 * Per-age-decade latent means with the dataset's make-up taken out: a least-squares fit of every latent dimension on
 * decade indicators plus gender and race, so that a decade holding more men (or more of one ethnicity) than another
 * does not put a moustache or a skin tone into the age-shift vector between them. Each bin's `mu` is its decade effect
 * at the training set's average gender and race mix; for a set with one gender and no race labels this is the plain mean.
 */
export function adjustedAgeBins(mus: readonly Float32Array[], samples: readonly LatentSample[], latent: number, edges: readonly number[] = AGE_SHIFT_BIN_EDGES): AgeBin[] {
  if (mus.length !== samples.length) throw new Error(`adjustedAgeBins: ${mus.length} codes but ${samples.length} samples`);
  const nBins = edges.length - 1;
  const bins = samples.map((s) => ageShiftBinIndex(s.age, edges));
  const counts = new Array<number>(nBins).fill(0);
  for (const b of bins) counts[b]!++;
  const used = counts.map((c, b) => (c > 0 ? b : -1)).filter((b) => b >= 0);
  const races = [...new Set(samples.map((s) => s.race).filter((r): r is number => r !== null && r > 0 && r < RACES))].sort();
  const genders = new Set(samples.map((s) => s.gender));
  const covariates: ((s: LatentSample) => number)[] = [];
  if (genders.size > 1) covariates.push((s) => s.gender);
  for (const r of races) covariates.push((s) => (s.race === r ? 1 : 0));
  const p = used.length + covariates.length;
  const row = (i: number): number[] => {
    const x = new Array<number>(p).fill(0);
    x[used.indexOf(bins[i]!)] = 1;
    covariates.forEach((f, k) => (x[used.length + k] = f(samples[i]!)));
    return x;
  };
  // Normal equations (X'X + eps I) B = X'M, solved once for all latent dimensions.
  const a = Array.from({ length: p }, () => new Float64Array(p + latent));
  samples.forEach((_, i) => {
    const x = row(i);
    const m = mus[i]!;
    for (let r = 0; r < p; r++) {
      if (x[r] === 0) continue;
      const ar = a[r]!;
      for (let c = 0; c < p; c++) ar[c]! += x[r]! * x[c]!;
      for (let d = 0; d < latent; d++) ar[p + d]! += x[r]! * m[d]!;
    }
  });
  for (let r = 0; r < p; r++) a[r]![r]! += 1e-6;
  for (let c = 0; c < p; c++) {
    let piv = c;
    for (let r = c + 1; r < p; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[piv]![c]!)) piv = r;
    [a[c], a[piv]] = [a[piv]!, a[c]!];
    const pc = a[c]!;
    for (let r = 0; r < p; r++) {
      if (r === c) continue;
      const ar = a[r]!;
      const f = ar[c]! / pc[c]!;
      if (f !== 0) for (let k = c; k < p + latent; k++) ar[k]! -= f * pc[k]!;
    }
  }
  const coef = (r: number, d: number): number => a[r]![p + d]! / a[r]![r]!;
  const meanCov = covariates.map((f) => samples.reduce((s, x) => s + f(x), 0) / samples.length);
  return counts.map((count, b) => {
    const k = used.indexOf(b);
    const mu = k < 0 ? [] : Array.from({ length: latent }, (_, d) => coef(k, d) + meanCov.reduce((s, v, j) => s + v * coef(used.length + j, d), 0));
    return { lo: edges[b]!, hi: edges[b + 1]!, count, mu };
  });
}
