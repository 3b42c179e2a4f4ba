import { bandwidthAt, PROTOTYPE_GENDERS, PROTOTYPE_KNOTS, type PrototypeGender } from './prototypes.js';
import type { PrototypeSample } from './fit-prototypes.js';

type SampleGender = PrototypeSample['gender'];
const SAMPLE_GENDERS: readonly SampleGender[] = ['male', 'female', 'unknown'];

/** Gendered means lean on both genders' pooled mean by this many crops' worth of weight. */
const SHRINK = 3;

/** Each group's (race's) share of the crops, pooled or of one gender. */
export interface GroupShares {
  shares(key: 'pooled' | PrototypeGender): Map<string, number>;
}

/** One running sum: knot index, gender, group, the kernel-weighted sum and its weight. */
export interface KnotSumPart {
  readonly k: number;
  readonly gender: SampleGender;
  readonly group: string;
  readonly sum: Float64Array;
  readonly w: number;
}

export function kernel(age: number, knot: number): number {
  const s = bandwidthAt(knot);
  return Math.exp(-((age - knot) ** 2) / (2 * s * s));
}

/** A group must hold this much kernel weight at a knot to count in the stratified mean there. */
const MIN_GROUP_WEIGHT = 2;

type SumKey = 'pooled' | PrototypeGender;
type GroupSums = Map<string, { sum: Float64Array; w: number }>;

/**
 * Running kernel-weighted sums at every knot, per gender (unknown included) and per group (race): crops are added one
 * at a time and none is kept, so memory is knots x genders x groups x `length` doubles whatever the catalogue's size.
 * The pooled sums are the genders' added up when the means are taken, so each crop is added once per knot.
 */
export class KnotSums {
  private readonly acc: Record<SampleGender, GroupSums>[] = PROTOTYPE_KNOTS.map(() => ({ male: new Map(), female: new Map(), unknown: new Map() }));

  constructor(
    private readonly length: number,
    private readonly cutoff = 0,
  ) {}

  add(age: number, gender: SampleGender, group: string | null, row: ArrayLike<number>): void {
    const { length } = this;
    for (let k = 0; k < PROTOTYPE_KNOTS.length; k++) {
      const w = kernel(age, PROTOTYPE_KNOTS[k]!);
      if (w <= this.cutoff) continue;
      const sums = this.acc[k]![gender];
      let a = sums.get(group ?? '');
      if (!a) sums.set(group ?? '', (a = { sum: new Float64Array(length), w: 0 }));
      const sum = a.sum;
      for (let j = 0; j < length; j++) sum[j] = sum[j]! + w * row[j]!;
      a.w += w;
    }
  }

  /** Every sum, to hand to another thread (the arrays can be transferred). */
  parts(): KnotSumPart[] {
    const out: KnotSumPart[] = [];
    this.acc.forEach((acc, k) => {
      for (const gender of SAMPLE_GENDERS) for (const [group, a] of acc[gender]) out.push({ k, gender, group, sum: a.sum, w: a.w });
    });
    return out;
  }

  /** Adds sums taken over other crops (another thread's `parts()`); arrays of sums not held yet are taken over. */
  merge(parts: readonly KnotSumPart[]): void {
    for (const p of parts) {
      const sums = this.acc[p.k]![p.gender];
      const a = sums.get(p.group);
      if (!a) sums.set(p.group, { sum: p.sum, w: p.w });
      else {
        for (let j = 0; j < this.length; j++) a.sum[j] = a.sum[j]! + p.sum[j]!;
        a.w += p.w;
      }
    }
  }

  /** One knot's sums for `key`, per group; the pooled ones add up every gender's. */
  private groupSums(k: number, key: SumKey): GroupSums {
    const acc = this.acc[k]!;
    if (key !== 'pooled') return acc[key];
    const pooled: GroupSums = new Map();
    for (const g of SAMPLE_GENDERS) {
      for (const [group, a] of acc[g]) {
        const p = pooled.get(group);
        if (!p) pooled.set(group, { sum: a.sum.slice(), w: a.w });
        else {
          for (let j = 0; j < this.length; j++) p.sum[j] = p.sum[j]! + a.sum[j]!;
          p.w += a.w;
        }
      }
    }
    return pooled;
  }

  /**
   * The mean at every knot, per gender, leaning on the pooled mean where a gender's weight is thin. Each mean is
   * stratified by group (race): every group counts with its overall share at every age, so that a dataset whose make-up
   * changes with age (UTKFace's children are more often white or asian) does not turn that into an age change.
   */
  means(counts: GroupShares): { means: Record<PrototypeGender, Float32Array[]>; weights: Record<PrototypeGender, number[]> } {
    const { length } = this;
    const shares = { pooled: counts.shares('pooled'), male: counts.shares('male'), female: counts.shares('female') };
    const means = { male: [] as Float32Array[], female: [] as Float32Array[] };
    const weights = { male: [] as number[], female: [] as number[] };
    for (let k = 0; k < this.acc.length; k++) {
      const stratified = (key: SumKey): { mean: Float64Array; w: number } => {
        const mean = new Float64Array(length);
        let total = 0;
        let share = 0;
        const parts = [...this.groupSums(k, key).entries()];
        for (const [, a] of parts) total += a.w;
        const counted = parts.filter(([, a]) => a.w >= MIN_GROUP_WEIGHT);
        const use = counted.length ? counted : parts;
        for (const [group, a] of use) {
          const pi = counted.length ? (shares[key].get(group) ?? 0) : a.w;
          share += pi;
          for (let j = 0; j < length; j++) mean[j] = mean[j]! + (pi * a.sum[j]!) / a.w;
        }
        if (share > 0) for (let j = 0; j < length; j++) mean[j] = mean[j]! / share;
        return { mean, w: total };
      };
      const pooled = stratified('pooled');
      for (const g of PROTOTYPE_GENDERS) {
        const own = stratified(g);
        const out = new Float32Array(length);
        const k = pooled.w > 0 ? SHRINK : 0;
        for (let j = 0; j < length; j++) out[j] = (own.w * own.mean[j]! + k * pooled.mean[j]!) / (own.w + k || 1);
        means[g].push(out);
        weights[g].push(own.w);
      }
    }
    return { means, weights };
  }
}
