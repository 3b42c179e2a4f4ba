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
  const fit = new AgeBinFit(samples, latent, edges);
  mus.forEach((m, i) => fit.add(i, m));
  return fit.bins();
}

/**
 * adjustedAgeBins with the codes given one at a time (in any grouping, in sample order): only the normal equations'
 * running sums are kept, (decades + covariates) x (decades + covariates + latent) doubles, however many faces.
 */
export class AgeBinFit {
  private readonly bin: number[];
  private readonly counts: number[];
  private readonly used: number[];
  private readonly covariates: ((s: LatentSample) => number)[] = [];
  private readonly p: number;
  private readonly a: Float64Array[];

  constructor(
    private readonly samples: readonly LatentSample[],
    private readonly latent: number,
    private readonly edges: readonly number[] = AGE_SHIFT_BIN_EDGES,
  ) {
    this.bin = samples.map((s) => ageShiftBinIndex(s.age, edges));
    this.counts = new Array<number>(edges.length - 1).fill(0);
    for (const b of this.bin) this.counts[b]!++;
    this.used = this.counts.map((c, b) => (c > 0 ? b : -1)).filter((b) => b >= 0);
    const races = [...new Set(samples.map((s) => s.race).filter((r): r is number => r !== null && r > 0 && r < RACES))].sort();
    if (new Set(samples.map((s) => s.gender)).size > 1) this.covariates.push((s) => s.gender);
    for (const r of races) this.covariates.push((s) => (s.race === r ? 1 : 0));
    this.p = this.used.length + this.covariates.length;
    this.a = Array.from({ length: this.p }, () => new Float64Array(this.p + latent));
  }

  /** Adds the code `m` of sample `i`. */
  add(i: number, m: ArrayLike<number>): void {
    const { p, latent, a } = this;
    const x = new Array<number>(p).fill(0);
    x[this.used.indexOf(this.bin[i]!)] = 1;
    this.covariates.forEach((f, k) => (x[this.used.length + k] = f(this.samples[i]!)));
    for (let r = 0; r < p; r++) {
      if (x[r] === 0) continue;
      const ar = a[r]!;
      for (let c = 0; c < p; c++) ar[c]! += x[r]! * x[c]!;
      for (let d = 0; d < latent; d++) ar[p + d]! += x[r]! * m[d]!;
    }
  }

  /** Solves the normal equations (X'X + eps I) B = X'M once for all latent dimensions. */
  bins(): AgeBin[] {
    const { p, latent, used, covariates, samples, edges } = this;
    const a = this.a.map((r) => Float64Array.from(r));
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
    return this.counts.map((count, b) => {
      const k = used.indexOf(b);
      const mu = k < 0 ? [] : Array.from({ length: latent }, (_, d) => coef(k, d) + meanCov.reduce((s, v, j) => s + v * coef(used.length + j, d), 0));
      return { lo: edges[b]!, hi: edges[b + 1]!, count, mu };
    });
  }
}
