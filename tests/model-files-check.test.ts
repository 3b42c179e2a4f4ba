import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultModelDir, loadAgingModel } from '../ml/aging/model.js';
import { loadCvaeValues, readSidecar } from '../ml/cvae/io.js';
import { ModelFileError } from '../ml/io/model-file.js';
import { readPrototypes } from '../ml/shape/prototypes-io.js';
import { tempDir } from './helpers/env.js';

/** A copy of the shipped default model, with `edit` applied to it. */
function damagedModel(edit: (dir: string) => void): string {
  const dir = tempDir('damaged-model');
  for (const f of fs.readdirSync(defaultModelDir())) fs.copyFileSync(path.join(defaultModelDir(), f), path.join(dir, f));
  edit(dir);
  return dir;
}

function editJson(dir: string, file: string, change: (j: Record<string, any>) => void): void {
  const p = path.join(dir, file);
  const j = JSON.parse(fs.readFileSync(p, 'utf8')) as Record<string, any>;
  change(j);
  fs.writeFileSync(p, JSON.stringify(j));
}

function cut(dir: string, file: string, bytes: number): void {
  const p = path.join(dir, file);
  fs.writeFileSync(p, fs.readFileSync(p).subarray(0, bytes));
}

/** The ModelFileError a call throws (failing when it throws anything else or nothing). */
function modelFileError(f: () => unknown): ModelFileError {
  try {
    f();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelFileError);
    return err as ModelFileError;
  }
  throw new Error('expected a ModelFileError, nothing was thrown');
}

async function modelFileErrorAsync(f: () => Promise<unknown>): Promise<ModelFileError> {
  try {
    await f();
  } catch (err) {
    expect(err).toBeInstanceOf(ModelFileError);
    return err as ModelFileError;
  }
  throw new Error('expected a ModelFileError, nothing was thrown');
}

describe('model files are checked on load, and the error names the file and what is wrong', () => {
  it('the shipped default model passes every check', async () => {
    expect(readPrototypes(defaultModelDir())?.knots.length).toBeGreaterThan(10);
    expect(readSidecar(defaultModelDir()).ageBins.length).toBeGreaterThan(0);
    expect((await loadCvaeValues(defaultModelDir())).values.size).toBeGreaterThan(10);
  });

  it('prototypes.json: cut short, duplicate knots, a NaN, a row too short, a textures file of the wrong size', () => {
    const cutDir = damagedModel((d) => cut(d, 'prototypes.json', 1000));
    const e = modelFileError(() => readPrototypes(cutDir));
    expect(e.file).toBe(path.join(cutDir, 'prototypes.json'));
    expect(e.message).toMatch(/prototypes\.json: not valid JSON, perhaps cut short \(1000 bytes\)/);

    const dup = damagedModel((d) => editJson(d, 'prototypes.json', (j) => (j.knots[5] = j.knots[4])));
    expect(modelFileError(() => readPrototypes(dup)).message).toMatch(/prototypes\.json: knots must increase strictly, but knots\[4\] = 4 and knots\[5\] = 4 \(a duplicate\)$/);

    const nan = damagedModel((d) => editJson(d, 'prototypes.json', (j) => (j.shapes.female[3][17] = null)));
    expect(modelFileError(() => readPrototypes(nan)).message).toMatch(/prototypes\.json: shapes\.female\[3\]\[17\] is null, not a finite number$/);

    const short = damagedModel((d) => editJson(d, 'prototypes.json', (j) => j.shapes.male[0].pop()));
    expect(modelFileError(() => readPrototypes(short)).message).toMatch(/shapes\.male\[0\] has 935 values, expected 936$/);

    const missingKnot = damagedModel((d) => editJson(d, 'prototypes.json', (j) => j.weights.male.pop()));
    expect(modelFileError(() => readPrototypes(missingKnot)).message).toMatch(/weights\.male should hold one entry per knot \(33\), found 32$/);

    const bin = damagedModel((d) => cut(d, 'prototypes.bin', 4096));
    const b = modelFileError(() => readPrototypes(bin));
    expect(b.file).toBe(path.join(bin, 'prototypes.bin'));
    expect(b.message).toMatch(/prototypes\.bin: 4096 bytes, expected \d+ \(33 ages x 2 genders of \d+ px\)$/);
  });

  it('sidecar.json: cut short, a NaN in an age bin\'s latent mean, bins out of order, an age range upside down', () => {
    const c = damagedModel((d) => cut(d, 'sidecar.json', 500));
    expect(modelFileError(() => readSidecar(c)).message).toMatch(/sidecar\.json: not valid JSON, perhaps cut short \(500 bytes\)/);
    const nan = damagedModel((d) => editJson(d, 'sidecar.json', (j) => (j.ageBins[1].mu[7] = 'NaN')));
    expect(modelFileError(() => readSidecar(nan)).message).toMatch(/sidecar\.json: ageBins\[1\]\.mu\[7\] is "NaN", not a finite number$/);
    const order = damagedModel((d) => editJson(d, 'sidecar.json', (j) => ([j.ageBins[1], j.ageBins[2]] = [j.ageBins[2], j.ageBins[1]])));
    expect(modelFileError(() => readSidecar(order)).message).toMatch(/sidecar\.json: ageBins\[2\] starts at \d+, inside the bin before it/);
    const range = damagedModel((d) => editJson(d, 'sidecar.json', (j) => (j.ageRange = { min: 60, max: 20 })));
    expect(modelFileError(() => readSidecar(range)).message).toMatch(/sidecar\.json: ageRange\.max is 20, below 60/);
    const shortMu = damagedModel((d) => editJson(d, 'sidecar.json', (j) => j.ageBins[0].mu.pop()));
    expect(modelFileError(() => readSidecar(shortMu)).message).toMatch(/ageBins\[0\]\.mu has 255 values, expected 256$/);
  });

  it('weights: weights.bin cut short, a NaN weight, a shape the config does not have, model.json cut short', async () => {
    const short = damagedModel((d) => cut(d, 'weights.bin', 10_000));
    const e = await modelFileErrorAsync(() => loadCvaeValues(short));
    expect(e.file).toBe(path.join(short, 'weights.bin'));
    expect(e.message).toMatch(/weights\.bin: 10000 bytes, but model\.json declares \d+$/);

    const nan = damagedModel((d) => {
      const p = path.join(d, 'weights.bin');
      const b = fs.readFileSync(p);
      b.writeUInt16LE(0x7e00, 64); // a float16 NaN in the first weight
      fs.writeFileSync(p, b);
    });
    expect((await modelFileErrorAsync(() => loadCvaeValues(nan))).message).toMatch(/weights\.bin: [\w/.]+\[32\] is NaN, not a finite number$/);

    const shape = damagedModel((d) => editJson(d, 'model.json', (j) => (j.weightsManifest[0].weights[0].shape = [...j.weightsManifest[0].weights[0].shape].reverse())));
    expect((await modelFileErrorAsync(() => loadCvaeValues(shape))).message).toMatch(/model\.json: weight [\w/.]+ has shape [\dx]+, the config needs [\dx]+$/);

    const cutJson = damagedModel((d) => cut(d, 'model.json', 300));
    expect((await modelFileErrorAsync(() => loadCvaeValues(cutJson))).message).toMatch(/model\.json: not valid JSON, perhaps cut short \(300 bytes\)/);
  });

  it('aging loads the prototypes only as far as it needs them: required fails naming the file, optional warns, skip never reads them', async () => {
    const dir = damagedModel((d) => cut(d, 'prototypes.json', 1000));
    const choice = { dir, id: null, name: 'damaged', source: 'option' as const };
    await expect(loadAgingModel(choice, 'required')).rejects.toThrow(`${path.join(dir, 'prototypes.json')}: not valid JSON, perhaps cut short`);
    const optional = await loadAgingModel(choice, 'optional');
    try {
      expect(optional.prototypes).toBeNull();
      expect(optional.prototypeWarning).toMatch(/prototypes\.json: not valid JSON, perhaps cut short .*; aging without the age prototypes$/);
    } finally {
      optional.cvae.dispose();
    }
    // A folder where the file should be: any read of it would fail.
    fs.rmSync(path.join(dir, 'prototypes.json'));
    fs.mkdirSync(path.join(dir, 'prototypes.json'));
    await expect(loadAgingModel(choice, 'required')).rejects.toThrow(/prototypes\.json: cannot be read \(EISDIR\)/);
    const skipped = await loadAgingModel(choice, 'skip');
    try {
      expect(skipped.prototypes).toBeNull();
      expect(skipped.prototypeWarning).toBeUndefined();
    } finally {
      skipped.cvae.dispose();
    }
  }, 60_000);
});
