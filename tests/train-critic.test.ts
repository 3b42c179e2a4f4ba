import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { initBackend } from '../ml/tf/backend.js';
import { AgeCritic, hasCritic, initCriticValues, loadCriticValues, saveCritic } from '../ml/critic/model.js';
import { trainCritic } from '../ml/critic/train.js';
import { createLossTerm } from '../ml/critic/loss-term.js';
import { CropReader, loadTrainingSet } from '../ml/train/data.js';
import { createCvae } from '../ml/cvae/model.js';
import { makeCvaeConfig } from '../ml/cvae/config.js';
import { makeCond } from '../ml/cvae/cond.js';
import { runCli } from './helpers/cli.js';
import { Adam } from '../ml/train/adam.js';
import { resolveTrainConfig } from '../ml/train/config.js';
import { tempDir } from './helpers/env.js';
import { makeTrainFixture } from './helpers/train-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('age critic (the training signal of --age-loss)', () => {
  it('learns age from real UTKFace crops: validation MAE well below always guessing the mean age', async () => {
    await initBackend('wasm');
    const fx = await makeTrainFixture({ count: 400, size: 64 });
    dirs.push(fx.dataDir);
    const db = openCatalogue(fx.dataDir);
    const data = loadTrainingSet(db, fx.dataDir, { includePending: false, limit: null, seed: 1 });
    db.close();
    const mean = data.train.reduce((s, x) => s + x.age, 0) / data.train.length;
    const baseline = data.val.reduce((s, x) => s + Math.abs(x.age - mean), 0) / data.val.length;
    const epochs: number[] = [];
    const r = await trainCritic(new CropReader(64), data.train, data.val, { epochs: 10, seed: 3, onEpoch: (e) => epochs.push(e.valMae) });
    expect(epochs).toHaveLength(10);
    expect(r.info.valMae).toBe(Math.min(...epochs));
    expect(r.info.valMae).toBeLessThan(0.85 * baseline);

    const dir = path.join(fx.dataDir, 'critic');
    expect(hasCritic(dir)).toBe(false);
    await saveCritic(dir, r.values, r.info);
    const back = await loadCriticValues(dir);
    expect(back.info.valMae).toBeCloseTo(r.info.valMae, 6);
    for (const [k, v] of r.values) expect(back.values.get(k)).toEqual(v);
    await expect(loadCriticValues(fx.dataDir)).rejects.toThrow(/no age critic in/);
  });

  it('cannot be fooled by a period-2 checkerboard: it reads the crop average-pooled', async () => {
    await initBackend('wasm');
    const critic = new AgeCritic(initCriticValues(9), false);
    const [a, b] = tf.tidy(() => {
      const x = tf.mul(tf.randomUniform([2, 128, 128, 3], -0.5, 0.5, 'float32', 4), 1) as tf.Tensor4D;
      const ix = tf.range(0, 128).reshape([1, 128]);
      const sign = tf.sub(tf.mul(tf.mod(tf.add(ix, tf.transpose(ix)), 2), 2), 1).reshape([1, 128, 128, 1]);
      return [critic.predict(x), critic.predict(tf.add(x, tf.mul(sign, 0.4)) as tf.Tensor4D)];
    });
    const da = await a.data();
    const db = await b.data();
    for (let i = 0; i < da.length; i++) expect(Math.abs(da[i]! - db[i]!)).toBeLessThan(1e-3);
    expect(() => critic.predict(tf.zeros([1, 100, 100, 3]) as tf.Tensor4D)).toThrow(/multiple of 64/);
    tf.dispose([a, b]);
    critic.dispose();
  });

  it('as a loss term: a finite error in years and gradients that reach the decoder, with no leaked tensors', async () => {
    await initBackend('wasm');
    const dir = tempDir('critic');
    dirs.push(dir);
    await saveCritic(dir, initCriticValues(2), { trainImages: 0, valImages: 0, valMae: 0, epochs: 0, seconds: 0 });
    const term = await createLossTerm({ dir, minAge: 20, maxAge: 60 });
    expect(term.name).toBe('age-critic');
    const model = createCvae(makeCvaeConfig({ imageSize: 64, preset: 'film' }), 5);
    let s = 1;
    const rng = (): number => (s = (s * 16807) % 2147483647) / 2147483647;
    const images = tf.tidy(() => tf.tanh(tf.randomNormal([2, 64, 64, 3], 0, 1, 'float32', 3))) as tf.Tensor4D;
    const cond = makeCond([30, 50], [0, 1]);
    const eps = tf.randomNormal([2, model.config.latentDim], 0, 1, 'float32', 4) as tf.Tensor2D;
    const before = tf.memory().numTensors;
    const { value, grads } = tf.variableGrads(() => {
      const f = model.forwardTrain(images, cond, eps);
      return term.compute({ model, images, cond, ...f, rng });
    });
    const loss = (await value.data())[0]!;
    expect(Number.isFinite(loss) && loss > 0 && loss < 150).toBe(true);
    const film = Object.keys(grads).find((k) => k.includes('dec/film0/kernel'));
    expect(film).toBeDefined();
    const sq = tf.tidy(() => tf.sum(tf.square(grads[film!]!)));
    const norm = (await sq.data())[0]!;
    sq.dispose();
    expect(norm).toBeGreaterThan(0);
    tf.dispose([value, ...Object.values(grads)]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([images, cond, eps]);
    model.dispose();
    await expect(createLossTerm({})).rejects.toThrow(/options.dir \(the age critic folder\) is required/);
  });
});

describe('per-layer learning rates (--film-lr)', () => {
  it('a parameter moves in proportion to its scale, and a bad multiplier is refused', async () => {
    await initBackend('wasm');
    const vars = [tf.variable(tf.zeros([3])), tf.variable(tf.zeros([3])), tf.variable(tf.zeros([3]))];
    const adam = new Adam(vars, 0.01);
    adam.setLrScales([1, 30, 0]);
    const g = tf.ones([3]);
    for (let i = 0; i < 5; i++) adam.apply([g, g, g]);
    const [a, b, c] = await Promise.all(vars.map((v) => v.data()));
    expect(a![0]).toBeCloseTo(-0.05, 4);
    expect(b![0]).toBeCloseTo(-1.5, 3);
    expect(c![0]).toBe(0);
    expect(() => adam.setLrScales([1])).toThrow(/1 learning-rate scales for 3 parameters/);
    expect(() => resolveTrainConfig({ filmLr: 0 })).toThrow(/FiLM learning-rate multiplier \(--film-lr\) must be a positive number/);
    expect(() => resolveTrainConfig({ ageLoss: -1 })).toThrow(/age loss weight \(--age-loss\) must be a number >= 0/);
    expect(() => resolveTrainConfig({ faceApiLoss: Number.NaN })).toThrow(/face-api age loss weight \(--face-api-loss\) must be a number >= 0/);
    expect(resolveTrainConfig({}).faceApiLoss).toBe(0);
    tf.dispose([...vars, g]);
    adam.dispose();
  });
});

describe('train --age-loss and --init-from', () => {
  it('trains the critic into the run folder first, reports the age-critic term, and fine-tunes from a model', async () => {
    const fx = await makeTrainFixture({ count: 80, size: 64 });
    dirs.push(fx.dataDir);
    const base = ['train', '--data-dir', fx.dataDir, '--size', '64', '--epochs', '1', '--batch', '16', '--workers', '1', '--json'];
    const fresh = await runCli([...base, '--preset', 'film']);
    expect(fresh.code, fresh.stderr.slice(-800)).toBe(0);
    const tuned = await runCli([...base, '--preset', 'film', '--init-from', String(fresh.last.model), '--age-loss', '5', '--critic-epochs', '3', '--film-lr', '30']);
    expect(tuned.code, tuned.stderr.slice(-800)).toBe(0);
    const critic = tuned.lines.filter((l) => l.type === 'critic');
    expect(critic.map((e) => [e.epoch, e.epochs])).toEqual([[1, 3], [2, 3], [3, 3]]);
    expect(Number(critic[0]!.valMae)).toBeGreaterThan(0);
    const runDir = path.join(fx.dataDir, 'runs', String(tuned.last.run));
    expect(hasCritic(path.join(runDir, 'critic'))).toBe(true);
    const steps = tuned.lines.filter((l) => l.type === 'step');
    expect(Object.keys(steps[0]!.extra as object)).toEqual(['age-critic']);
    // Starting from trained weights, the first step reconstructs better than a fresh network's first step.
    const firstRec = (r: typeof fresh): number => Number(r.lines.find((l) => l.type === 'step')!.rec);
    expect(firstRec(tuned)).toBeLessThan(firstRec(fresh));

    // A second age-loss run reuses that critic (no critic events), and adds face-api's age net as a second term.
    const reused = await runCli([...base, '--preset', 'film', '--age-loss', '5', '--critic-from', runDir, '--face-api-loss', '2']);
    expect(reused.code, reused.stderr.slice(-800)).toBe(0);
    expect(reused.lines.filter((l) => l.type === 'critic')).toHaveLength(0);
    expect(hasCritic(path.join(fx.dataDir, 'runs', String(reused.last.run), 'critic'))).toBe(true);
    const reusedStep = reused.lines.find((l) => l.type === 'step')!.extra as Record<string, number>;
    expect(Object.keys(reusedStep).sort()).toEqual(['age', 'age-critic']);
    expect(reusedStep.age).toBeGreaterThan(0);
    const noCritic = await runCli([...base, '--age-loss', '5', '--critic-from', fx.dataDir]);
    expect(noCritic.code).toBe(2);
    expect(String(noCritic.last.error)).toMatch(/--critic-from: no age critic in /);

    // Refused before the trainer starts, like any other bad flag.
    const bad = await runCli([...base, '--init-from', String(fresh.last.model), '--preset', 'reference']);
    expect(bad.code).toBe(2);
    expect(String(bad.last.error)).toBe(`--init-from: model ${String(fresh.last.model)} has FiLM conditioning, the run lacks it (choose preset film)`);
    const missing = await runCli([...base, '--preset', 'film', '--init-from', '99']);
    expect(missing.code).toBe(2);
    expect(String(missing.last.error)).toMatch(/--init-from: model 99 is not in the catalogue/);
  });
});
