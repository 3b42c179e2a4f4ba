import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openCatalogue } from '../db/catalogue.js';
import { insertModel } from '../db/models.js';
import { insertAgingOutput, listAgingOutputs, getAgingOutput } from '../db/outputs.js';
import { chooseModel, defaultModelDir } from '../ml/aging/model.js';
import { clampAges, clampMessage, parseAges } from '../ml/aging/ages.js';
import { tempDir } from './helpers/env.js';

function fakeModel(dir: string): string {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.json'), '{}');
  fs.writeFileSync(path.join(dir, 'sidecar.json'), '{}');
  return dir;
}

describe('which model aging uses', () => {
  const saved = process.env.CHRONOFACE_DEFAULT_MODEL;
  afterEach(() => {
    if (saved === undefined) delete process.env.CHRONOFACE_DEFAULT_MODEL;
    else process.env.CHRONOFACE_DEFAULT_MODEL = saved;
  });

  it('--model ID or DIR, else the newest catalogue model, else the shipped default, else a clear error', () => {
    const root = tempDir('choice');
    const dataDir = path.join(root, 'data');
    const def = path.join(root, 'default');
    process.env.CHRONOFACE_DEFAULT_MODEL = def;
    expect(() => chooseModel(dataDir)).toThrow(/no model: .*train one with chronoface train.*default model is missing/);
    fakeModel(def);
    expect(chooseModel(dataDir)).toMatchObject({ dir: def, id: null, source: 'default' });
    const db = openCatalogue(dataDir);
    fakeModel(path.join(dataDir, 'models/1-a'));
    fakeModel(path.join(dataDir, 'models/2-b'));
    const a = insertModel(db, { runId: null, name: 'a', dir: 'models/1-a', imageSize: 64, epoch: 1, metrics: {} });
    const b = insertModel(db, { runId: null, name: 'b', dir: 'models/2-b', imageSize: 64, epoch: 1, metrics: {} });
    db.close();
    expect(chooseModel(dataDir)).toMatchObject({ id: b, name: 'b', source: 'catalogue', dir: path.join(dataDir, 'models/2-b') });
    expect(chooseModel(dataDir, String(a))).toMatchObject({ id: a, name: 'a', source: 'option' });
    expect(chooseModel(dataDir, def)).toMatchObject({ dir: def, id: null, source: 'option' });
    expect(() => chooseModel(dataDir, '99')).toThrow(/model 99 is not in the catalogue/);
    expect(() => chooseModel(dataDir, path.join(root, 'nowhere'))).toThrow(/not a model id, nor a folder/);
  });

  it('the default model lives in the repository assets', () => {
    delete process.env.CHRONOFACE_DEFAULT_MODEL;
    expect(defaultModelDir()).toBe(path.resolve(__dirname, '../assets/models/default'));
  });

  it('target ages are clamped to the trained range and the message says which', () => {
    const c = clampAges(parseAges(['5', '30', '95']), { min: 10, max: 80 });
    expect(c.ages).toEqual([10, 30, 80]);
    expect(c.clamped).toEqual([{ requested: 5, used: 10 }, { requested: 95, used: 80 }]);
    expect(clampMessage(c, { min: 10, max: 80 })).toBe("target ages outside the model's trained range 10-80 were clamped: 5 -> 10, 95 -> 80");
    expect(clampMessage(clampAges([20], { min: 10, max: 80 }), { min: 10, max: 80 })).toBeNull();
    expect(() => parseAges(['old'])).toThrow(/"old" is not an age/);
  });

  it('aging outputs are recorded in the catalogue', () => {
    const db = openCatalogue(path.join(tempDir('outputs'), 'data'));
    const id = insertAgingOutput(db, { modelId: null, modelName: 'default', photoPath: '/p/a.jpg', faceIndex: 1, sourceAge: 34, sourceAgeEstimated: true, gender: 'female', ages: [20, 40], gifFile: '/o/a.gif', stripFile: null });
    expect(getAgingOutput(db, id)).toMatchObject({ photoPath: '/p/a.jpg', faceIndex: 1, sourceAge: 34, sourceAgeEstimated: true, ages: [20, 40], gifFile: '/o/a.gif', stripFile: null });
    expect(listAgingOutputs(db).map((o) => o.id)).toEqual([id]);
    db.close();
  });
});
