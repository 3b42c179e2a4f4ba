import { describe, expect, it } from 'vitest';
import { AgeBinFit, adjustedAgeBins, type LatentSample } from '../ml/cvae/age-bins.js';
import { mulberry32 } from '../ml/cvae/rng.js';

const LATENT = 8;

describe('age-bin latent means, fitted from running sums', () => {
  it('are the plain per-decade means for one gender and no race labels', () => {
    const rand = mulberry32(3);
    const samples: LatentSample[] = Array.from({ length: 400 }, (_, i) => ({ age: 5 + (i % 80), gender: 0, race: null }));
    const mus = samples.map(() => Float32Array.from({ length: LATENT }, () => rand() * 2 - 1));
    const fit = new AgeBinFit(samples, LATENT);
    mus.forEach((m, i) => fit.add(i, m));
    const bins = fit.bins();
    for (const b of bins.filter((x) => x.count > 0)) {
      const inBin = samples.map((s, i) => [s, i] as const).filter(([s]) => s.age >= b.lo && s.age < b.hi);
      expect(inBin.length).toBe(b.count);
      for (let d = 0; d < LATENT; d++) expect(b.mu[d]).toBeCloseTo(inBin.reduce((a, [, i]) => a + mus[i]![d]!, 0) / inBin.length, 4);
    }
    expect(adjustedAgeBins(mus, samples, LATENT)).toEqual(bins);
  });

  it('take out a gender mix that differs between decades', () => {
    // Latent 0 = decade effect (20s: 0, 60s: 1) + 2 x gender; the 20s are 80 % men, the 60s 20 %.
    const samples: LatentSample[] = [];
    for (let i = 0; i < 100; i++) samples.push({ age: 25, gender: i < 80 ? 0 : 1, race: null }, { age: 65, gender: i < 20 ? 0 : 1, race: null });
    const fit = new AgeBinFit(samples, 1);
    samples.forEach((s, i) => fit.add(i, [(s.age > 50 ? 1 : 0) + 2 * s.gender]));
    const bins = fit.bins().filter((b) => b.count > 0);
    expect(bins).toHaveLength(2);
    // Plain means would differ by 1 + 2 x 0.6 = 2.2.
    expect(bins[1]!.mu[0]! - bins[0]!.mu[0]!).toBeCloseTo(1, 4);
  });
});
