import { describe, expect, it } from 'vitest';
import { mig, mutualInformation, entropy } from '../ml/eval/mig.js';

/** Deterministic pseudo-random numbers (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function gaussian(r: () => number): number {
  return Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r());
}

describe('MIG on synthetic latents', () => {
  const n = 4000;
  const dims = 8;
  const r = rng(7);
  const age = Array.from({ length: n }, () => Math.floor(r() * 8));
  const gender = Array.from({ length: n }, () => (r() < 0.5 ? 0 : 1));

  it('is about 1 for a factor that one dimension encodes exactly, and the top dimension is that one', () => {
    const latents = age.map((a, i) => {
      const z = Array.from({ length: dims }, () => gaussian(r));
      z[3] = a; // exactly the factor
      z[5] = gender[i]! * 2 - 1;
      return z;
    });
    const res = mig(latents, [
      { name: 'age', values: age },
      { name: 'gender', values: gender },
    ]);
    const byName = Object.fromEntries(res.factors.map((f) => [f.name, f]));
    expect(byName.age!.topDim).toBe(3);
    expect(byName.gender!.topDim).toBe(5);
    expect(byName.age!.mig).toBeGreaterThan(0.97);
    expect(byName.gender!.mig).toBeGreaterThan(0.97);
    expect(res.mig).toBeGreaterThan(0.97);
  });

  it('is about 0 when every dimension is noise', () => {
    const latents = age.map(() => Array.from({ length: dims }, () => gaussian(r)));
    const res = mig(latents, [
      { name: 'age', values: age },
      { name: 'gender', values: gender },
    ]);
    expect(res.mig).toBeLessThan(0.02);
  });

  it('is about 0 when two dimensions copy the factor equally (no gap)', () => {
    const latents = age.map((a) => {
      const z = Array.from({ length: dims }, () => gaussian(r));
      z[1] = a;
      z[2] = -a;
      return z;
    });
    expect(mig(latents, [{ name: 'age', values: age }]).mig).toBeLessThan(0.02);
  });

  it('gives half for a dimension that carries half the information', () => {
    // z0 = age bin pair (age >> 1): I(z0; age) = H(age) - 1 bit; with 8 uniform values H = 3 bits -> MIG ~ 2/3.
    const latents = age.map((a) => [a >> 1, gaussian(r), gaussian(r)]);
    const res = mig(latents, [{ name: 'age', values: age }]);
    expect(res.mig).toBeGreaterThan(0.6);
    expect(res.mig).toBeLessThan(0.72);
  });

  it('mutual information of a variable with itself is its entropy', () => {
    const x = Int32Array.from(age);
    expect(mutualInformation(x, 8, x, 8)).toBeCloseTo(entropy(x, 8), 10);
  });
});
