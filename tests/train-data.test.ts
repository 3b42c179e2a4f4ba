import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { CropReader, epochBatches, loadTrainingSet, planEpoch, type Sample } from '../ml/train/data.js';
import { ageShiftBinIndex as ageBinIndex } from '../domain/age-bins.js';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/env.js';
import { makeTrainFixture, type TrainFixture } from './helpers/train-fixture.js';

let fx: TrainFixture;
beforeAll(async () => {
  fx = await makeTrainFixture({ count: 120 });
});
afterAll(() => fs.rmSync(fx.dataDir, { recursive: true, force: true }));

function samples(ages: number[]): Sample[] {
  return ages.map((age, i) => ({ cropId: i, file: `f${i}`, age, gender: 0 }));
}

describe('training data', () => {
  it('reads accepted crops in their stored split, caps with --limit deterministically', () => {
    const db = openCatalogue(fx.dataDir);
    const all = loadTrainingSet(db, fx.dataDir, { includePending: false, limit: null, seed: 1 });
    expect(all.train).toHaveLength(fx.counts.train);
    expect(all.val).toHaveLength(fx.counts.val);
    const a = loadTrainingSet(db, fx.dataDir, { includePending: false, limit: 30, seed: 4 });
    const b = loadTrainingSet(db, fx.dataDir, { includePending: false, limit: 30, seed: 4 });
    expect(a.train.map((s) => s.cropId)).toEqual(b.train.map((s) => s.cropId));
    expect(a.train).toHaveLength(30);
    expect(a.fingerprint).not.toBe(all.fingerprint);
    db.close();
  });

  it('plans epochs deterministically per (seed, epoch), balances age bins by sampling or by weights', () => {
    // 90 children, 10 elderly: a skewed set.
    const s = samples([...Array.from({ length: 90 }, (_, i) => i % 10), ...Array.from({ length: 10 }, () => 75)]);
    expect(planEpoch(s, 'none', 10, 1, 3).order).toEqual(planEpoch(s, 'none', 10, 1, 3).order);
    expect(planEpoch(s, 'none', 10, 1, 3).order).not.toEqual(planEpoch(s, 'none', 10, 1, 4).order);
    expect([...planEpoch(s, 'none', 10, 1, 3).order].sort((a, b) => a - b)).toEqual(s.map((_, i) => i));
    const sampled = planEpoch(s, 'sampler', 10, 1, 1);
    const old = sampled.order.filter((i) => ageBinIndex(s[i]!.age) === ageBinIndex(75)).length;
    expect(old).toBeGreaterThan(35);
    expect(old).toBeLessThan(65);
    const w = planEpoch(s, 'weights', 10, 1, 1).weights!;
    expect(w[95]! / w[0]!).toBeCloseTo(9, 5);
    expect(w.reduce((a, v) => a + v, 0) / w.length).toBeCloseTo(1, 5);
  });

  it('prefetches batches in [-1,1] and flips deterministically', async () => {
    const db = openCatalogue(fx.dataDir);
    const set = loadTrainingSet(db, fx.dataDir, { includePending: false, limit: 16, seed: 1 });
    db.close();
    const reader = new CropReader(64);
    const plan = planEpoch(set.train, 'none', 8, 2, 1);
    const run = async (flip: boolean): Promise<Float32Array[]> => {
      const out: Float32Array[] = [];
      for await (const b of epochBatches(reader, set.train, plan, 8, flip, 2, 1)) out.push(b.images);
      return out;
    };
    const plain = await run(false);
    const flipped = await run(true);
    expect(plain).toHaveLength(2);
    expect(Math.min(...plain[0]!)).toBeGreaterThanOrEqual(-1);
    expect(Math.max(...plain[0]!)).toBeLessThanOrEqual(1);
    const again = await run(true);
    expect(Array.from(again[1]!)).toEqual(Array.from(flipped[1]!));
    // Some images are mirrored: pixel (y, x) equals the unflipped (y, 63 - x).
    const px = 64 * 64 * 3;
    let mirrored = 0;
    for (let i = 0; i < 8; i++) {
      const a = plain[0]!.subarray(i * px, (i + 1) * px);
      const b = flipped[0]!.subarray(i * px, (i + 1) * px);
      if (b[0] === a[63 * 3] && b[1] === a[63 * 3 + 1] && a.some((v, k) => v !== b[k])) mirrored++;
    }
    expect(mirrored).toBeGreaterThan(0);
    expect(mirrored).toBeLessThan(8);
  });

  it('runs extra loss terms from a module (the hook for frozen networks) and reports them per step', async () => {
    const mod = path.join(REPO_ROOT, 'tests/helpers/train-extra-loss.mjs');
    const r = await runCli(['train', '--data-dir', fx.dataDir, '--size', '64', '--epochs', '1', '--batch', '16', '--limit', '48', '--balance', 'weights', '--extra-loss', `${mod}=2`, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const steps = r.lines.filter((l) => l.type === 'step');
    expect(steps).toHaveLength(3);
    for (const s of steps) {
      const grey = (s.extra as Record<string, number>).grey!;
      expect(grey).toBeGreaterThan(0);
      expect(Number(s.loss)).toBeCloseTo(Number(s.rec) + Number(s.beta) * Number(s.kl) + grey, 1);
    }
  });
});
