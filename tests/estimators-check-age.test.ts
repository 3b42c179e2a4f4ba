import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CHECK_MODELS_ENV,
  checkModelsDir,
  contextWindow,
  loadCheckEstimators,
  type CheckEstimator,
} from '../ml/estimators/check-age.js';
import { decodeGearAge, expectedAge } from '../ml/estimators/check-decode.js';
import { CHRONOFACE_FACE_WINDOW } from '../ml/estimators/framing.js';
import type { RawImage } from '../ml/estimators/image.js';
import { tempDir } from './helpers/env.js';
import { writeTinyGraphModel } from './helpers/tiny-graph-model.js';

const zeros = (width: number): number[][] => [0, 1, 2].map(() => new Array<number>(width).fill(0));

function uniform(value: number, size = 150): RawImage {
  return { data: new Uint8Array(size * size * 3).fill(value), width: size, height: size, channels: 3 };
}

/** Left half `left`, right half `right`. */
function halves(left: number, right: number, size = 150): RawImage {
  const data = new Uint8Array(size * size * 3);
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) data.fill(x < size / 2 ? left : right, (y * size + x) * 3, (y * size + x) * 3 + 3);
  return { data, width: size, height: size, channels: 3 };
}

/**
 * FaceRes (Caffe-style input: BGR 0..255 minus the ImageNet means): an age softmax where only ages 0 and 99 carry
 * weight, with logit(99) - logit(0) = first input channel (blue - 103.939) - 0.061, so a face whose blue is 104 reads
 * p(99) = 0.5 (age 49.5) and one whose blue is 106 reads p(99) = sigmoid(2).
 */
const faceresW = zeros(100);
faceresW[0]![99] = 1;
const faceresB = new Array<number>(100).fill(-100);
faceresB[0] = 0;
faceresB[99] = 103.939 - 104;

function rgb(r: number, g: number, b: number, size = 150): RawImage {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < data.length; i += 3) data.set([r, g, b], i);
  return { data, width: size, height: size, channels: 3 };
}

let dir: string;
let estimators: CheckEstimator[] = [];
const byName = (name: string): CheckEstimator => estimators.find((e) => e.name === name)!;

beforeAll(async () => {
  dir = tempDir('check-age');
  // SSR-Net: age = mean of the 0..255 input.
  writeTinyGraphModel(dir, 'age.json', 64, [{ width: 1, w: [[1 / 3], [1 / 3], [1 / 3]], b: [0], act: 'none' }]);
  // GEAR (0..1 input): class 0 (<20) for dark faces, class 1 (21-25) for bright ones; plus gender and race heads.
  const gearW = zeros(7).map((row) => row.map((_, k) => (k === 0 ? -50 / 3 : k === 1 ? 50 / 3 : 0)));
  writeTinyGraphModel(dir, 'gear.json', 198, [
    { width: 5, w: zeros(5), b: [0, 0, 0, 0, 0], act: 'softmax' },
    { width: 2, w: zeros(2), b: [1, 0], act: 'softmax' },
    { width: 7, w: gearW, b: [25, -25, -100, -100, -100, -100, -100], act: 'softmax' },
  ]);
  writeTinyGraphModel(dir, 'faceres.json', 224, [
    { width: 100, w: faceresW, b: faceresB, act: 'softmax' },
    { width: 1, w: zeros(1), b: [0.3], act: 'sigmoid' },
  ]);
  estimators = await loadCheckEstimators(dir, { names: ['faceres', 'gear', 'ssrnet'], batchSize: 4 });
});

afterAll(() => {
  for (const e of estimators) e.dispose();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('check estimators on tiny graph models with the real input/output signatures', () => {
  it('loads the validated estimators by default, and any named one on request', async () => {
    const defaults = await loadCheckEstimators(dir);
    expect(defaults.map((e) => e.name)).toEqual(['faceres']);
    defaults.forEach((e) => e.dispose());
    expect(estimators.map((e) => [e.name, e.context])).toEqual([['faceres', 1], ['gear', 1], ['ssrnet', 1]]);
  });

  it('SSR-Net reads 0..255 pixels and keeps the order across batches', async () => {
    const values = [20, 45, 90, 7, 130, 61, 33, 250, 18, 77];
    const ages = await byName('ssrnet').predictAges(values.map((v) => uniform(v)));
    expect(ages).toHaveLength(values.length);
    ages.forEach((a, i) => expect(a).toBeCloseTo(values[i]!, 2));
  });

  it('GEAR reads 0..1 pixels, picks its age output among three, and decodes class centres', async () => {
    const ages = await byName('gear').predictAges([uniform(25), uniform(230)]);
    expect(ages[0]).toBeCloseTo(15, 3);
    expect(ages[1]).toBeCloseTo(23, 3);
  });

  it('FaceRes reads BGR minus the ImageNet means, picks its age output before the gender one, and takes the expectation', async () => {
    const ages = await byName('faceres').predictAges([rgb(200, 100, 104), rgb(10, 240, 106)]);
    expect(ages[0]).toBeCloseTo(49.5, 1);
    expect(ages[1]).toBeCloseTo(99 / (1 + Math.exp(-2)), 1);
  });

  it('a crop box makes the net read only that part of the window; RGBA inputs are accepted', async () => {
    const [ssr] = await loadCheckEstimators(dir, { names: ['ssrnet'], boxes: { ssrnet: [0, 0.55, 1, 1] } });
    try {
      const img = halves(0, 200);
      const rgba: RawImage = { data: new Uint8Array(150 * 150 * 4).fill(60), width: 150, height: 150, channels: 4 };
      const [right, alpha] = await ssr!.predictAges([img, rgba]);
      expect(right).toBeCloseTo(200, 2);
      expect(alpha).toBeCloseTo(60, 2);
      expect((await byName('ssrnet').predictAges([img]))[0]).toBeCloseTo(100, 0);
    } finally {
      ssr!.dispose();
    }
  });

  it('rejects a malformed image and use after dispose', async () => {
    const [ssr] = await loadCheckEstimators(dir, { names: ['ssrnet'] });
    await expect(ssr!.predictAges([{ data: new Uint8Array(10), width: 150, height: 150, channels: 3 }])).rejects.toThrow(/ssrnet input 0: 10 bytes/);
    ssr!.dispose();
    await expect(ssr!.predictAges([uniform(1)])).rejects.toThrow(/ssrnet was disposed/);
  });
});

describe('check-estimator errors', () => {
  it('a missing folder, an empty folder and a missing named model each say what is wrong', async () => {
    await expect(loadCheckEstimators(path.join(dir, 'nowhere'))).rejects.toThrow(/check-estimator models folder not found: .*nowhere/);
    const empty = tempDir('check-age-empty');
    const partial = tempDir('check-age-partial');
    try {
      await expect(loadCheckEstimators(empty)).rejects.toThrow(/no check-estimator model in .*: expected faceres \(faceres\.json\)$/);
      fs.copyFileSync(path.join(dir, 'age.json'), path.join(partial, 'age.json'));
      fs.copyFileSync(path.join(dir, 'age.bin'), path.join(partial, 'age.bin'));
      await expect(loadCheckEstimators(partial)).rejects.toThrow(/expected faceres \(faceres\.json\); ssrnet is there but failed validation \(ask for it by name\)/);
      await expect(loadCheckEstimators(partial, { names: ['gear', 'ssrnet'] })).rejects.toThrow(/model missing in .*: gear \(gear\.json\)$/);
      const only = await loadCheckEstimators(partial, { names: ['ssrnet'] });
      expect(only.map((e) => e.name)).toEqual(['ssrnet']);
      only.forEach((e) => e.dispose());
      fs.rmSync(path.join(partial, 'age.bin'));
      await expect(loadCheckEstimators(partial, { names: ['ssrnet'] })).rejects.toThrow(/ssrnet: cannot load .*age\.json: .*weight file age\.bin is missing/);
      fs.writeFileSync(path.join(partial, 'age.json'), '{"format": "graph-model"}');
      await expect(loadCheckEstimators(partial, { names: ['ssrnet'] })).rejects.toThrow(/not a TensorFlow\.js model/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
      fs.rmSync(partial, { recursive: true, force: true });
    }
  });

  it('the folder comes from the option, else the environment, else a clear error', () => {
    const saved = process.env[CHECK_MODELS_ENV];
    try {
      delete process.env[CHECK_MODELS_ENV];
      expect(() => checkModelsDir()).toThrow(/set CHRONOFACE_CHECK_MODELS/);
      process.env[CHECK_MODELS_ENV] = 'rel/models';
      expect(checkModelsDir()).toBe(path.resolve('rel/models'));
      expect(checkModelsDir('/abs/x')).toBe('/abs/x');
    } finally {
      if (saved === undefined) delete process.env[CHECK_MODELS_ENV];
      else process.env[CHECK_MODELS_ENV] = saved;
    }
  });
});

describe('decoding and framing', () => {
  it('GEAR: one-hot classes give their centres; mixtures move toward the others', () => {
    expect(decodeGearAge([0, 0, 0, 1, 0, 0, 0])).toBe(35.5);
    expect(decodeGearAge([0.5, 0.5, 0, 0, 0, 0, 0])).toBe(19);
    expect(decodeGearAge([0, 0, 0, 0, 0, 0.25, 0.75])).toBeCloseTo(65 + 0.25 * (55.5 - 65), 10);
    expect(() => decodeGearAge([1, 0])).toThrow(/expected 7 age classes, got 2/);
  });

  it('the expectation of an age softmax is its mean, normalised', () => {
    const p = new Array<number>(100).fill(0);
    p[60] = 0.7;
    p[59] = 0.2;
    p[61] = 0.1;
    expect(expectedAge(p)).toBeCloseTo(59.9, 10);
    expect(expectedAge(p.map((x) => 2 * x))).toBeCloseTo(59.9, 10);
    expect(expectedAge(new Array<number>(100).fill(0))).toBe(0);
  });

  it('contextWindow widens the eval face window around its centre', () => {
    const w = contextWindow(1.25);
    expect(w.side).toBeCloseTo(1.25 * CHRONOFACE_FACE_WINDOW.side, 12);
    expect([w.cx, w.cy]).toEqual([CHRONOFACE_FACE_WINDOW.cx, CHRONOFACE_FACE_WINDOW.cy]);
    expect(contextWindow(1)).toEqual({ ...CHRONOFACE_FACE_WINDOW });
    expect(() => contextWindow(0)).toThrow(/context must be positive/);
  });
});
