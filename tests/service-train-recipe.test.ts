/**
 * The Train screen's recipe settings (preset, age loss, FiLM learning rate, starting weights): contract validation,
 * the mapping to the trainer's config and back, and the age critic's progress reaching the screen as events.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ApiError, type ApiEvent, type TrainSettings } from '../contract/api.js';
import { toApiError } from '../app/errors.js';
import { validateRequest } from '../contract/validate.js';
import { openCatalogue } from '../db/catalogue.js';
import { insertModel } from '../db/models.js';
import { recipeOfSettings, settingsOf } from '../app/handlers/train-settings.js';
import { trainConfigOf as configOfRecipe, type ModelPlaces } from '../workflows/train-recipe.js';
import { TrainWorkflowError } from '../workflows/train-errors.js';
import { createStudioService } from '../app/service.js';
import { defaultModelDir } from '../ml/aging/model.js';
import { tempDir } from './helpers/env.js';
import { makeTrainFixture } from './helpers/train-fixture.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The fallback warning of a catalogue too small to fit prototypes, as `chronoface train` prints it. */
const SHORT_RANGES = /^too few crops with landmarks to fit age prototypes \(at least \d+ per gender and age range\): male 0-9: 0 crops, .*: using the default model's age prototypes instead$/;

const BASE: TrainSettings = { size: 128, epochs: 14, batch: 32, beta: 1, lr: 8e-4, balance: 'sampler' };
const SHIPPED: TrainSettings = { ...BASE, preset: 'film', ageLoss: 10, filmLr: 30, initFrom: 'default' };

function refused(request: unknown): string {
  try {
    validateRequest('trainStart', request);
  } catch (err) {
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe('invalid-argument');
    return (err as ApiError).message;
  }
  throw new Error(`accepted ${JSON.stringify(request)}`);
}

/** The refusal as the studio reports it. */
function thrown(fn: () => unknown): ApiError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(TrainWorkflowError);
    expect((err as TrainWorkflowError).code).toBe('invalid-recipe');
    return toApiError(err);
  }
  throw new Error('did not throw');
}

describe('trainStart validation of the recipe settings', () => {
  it('accepts the shipped recipe, a model id, from scratch and absent settings', () => {
    expect(validateRequest('trainStart', SHIPPED)).toEqual(SHIPPED);
    expect(validateRequest('trainStart', { ...BASE, preset: 'reference', ageLoss: 0, filmLr: 0.5, initFrom: 7 })).toMatchObject({ initFrom: 7 });
    expect(validateRequest('trainStart', { ...BASE, initFrom: null })).toMatchObject({ initFrom: null });
    expect(validateRequest('trainStart', BASE)).toEqual(BASE);
  });

  it('refuses bad values, naming the field', () => {
    expect(refused({ ...BASE, preset: 'big' })).toBe('trainStart.preset: expected one of reference, film');
    expect(refused({ ...BASE, ageLoss: -1 })).toBe('trainStart.ageLoss: must be >= 0');
    expect(refused({ ...BASE, ageLoss: '10' })).toBe('trainStart.ageLoss: expected a finite number');
    expect(refused({ ...BASE, filmLr: 0 })).toBe('trainStart.filmLr: must be > 0');
    expect(refused({ ...BASE, filmLr: -3 })).toBe('trainStart.filmLr: must be > 0');
    for (const bad of [0, 1.5, 'latest', '3', true]) {
      expect(refused({ ...BASE, initFrom: bad })).toBe('trainStart.initFrom: expected a model id (a positive integer) or "default"');
    }
  });
});

describe('the studio settings as a recipe, the trainer config, and back', () => {
  const dataDir = tempDir('recipe');
  dirs.push(dataDir);
  const db = openCatalogue(dataDir);
  afterAll(() => db.close());
  const places: ModelPlaces = { dataDir, db, defaultDir: defaultModelDir() };
  const trainConfigOf = (s: TrainSettings): ReturnType<typeof configOfRecipe> => configOfRecipe(recipeOfSettings(s), places);
  const modelAt = (rel: string, config: object): number => {
    fs.mkdirSync(path.join(dataDir, rel), { recursive: true });
    fs.writeFileSync(path.join(dataDir, rel, 'model.json'), JSON.stringify({ format: 'chronoface-cvae', modelTopology: { config } }));
    return insertModel(db, { runId: null, name: rel, dir: rel, imageSize: 64, epoch: 1, metrics: {} });
  };
  const film64 = modelAt('models/film64', { preset: 'film', imageSize: 64, film: true });
  const ref64 = modelAt('models/ref64', { preset: 'reference', imageSize: 64, film: false });

  it('maps the shipped recipe, with "default" as the shipped model folder', () => {
    expect(fs.existsSync(path.join(defaultModelDir(), 'model.json'))).toBe(true);
    expect(trainConfigOf(SHIPPED)).toEqual({
      imageSize: 128,
      epochs: 14,
      batch: 32,
      beta: 1,
      lr: 8e-4,
      balance: 'sampler',
      preset: 'film',
      ageLoss: 10,
      filmLr: 30,
      initFrom: defaultModelDir(),
    });
  });

  it('maps a model id to its folder, and leaves the recipe out when absent (the trainer defaults apply)', () => {
    const c = trainConfigOf({ ...BASE, size: 64, preset: 'film', initFrom: film64 });
    expect(c.initFrom).toBe(path.join(dataDir, 'models/film64'));
    const plain = trainConfigOf({ ...BASE, initFrom: null });
    for (const key of ['preset', 'ageLoss', 'filmLr', 'initFrom']) expect(plain).not.toHaveProperty(key);
  });

  it('refuses an unknown model id and starting weights that cannot fit the run, before anything trains', () => {
    const unknown = thrown(() => trainConfigOf({ ...BASE, initFrom: 999 }));
    expect(unknown.code).toBe('invalid-argument');
    expect(unknown.message).toBe('initFrom: model 999 is not in the catalogue');
    expect(thrown(() => trainConfigOf({ ...SHIPPED, size: 64 })).message).toBe('initFrom: the default model is 128 px, the run 64 px (choose size 128)');
    expect(thrown(() => trainConfigOf({ ...SHIPPED, preset: 'reference' })).message).toBe(
      'initFrom: the default model has FiLM conditioning, the run lacks it (choose preset film)',
    );
    expect(thrown(() => trainConfigOf({ ...BASE, size: 64, initFrom: film64 })).message).toMatch(/model \d+ has FiLM conditioning, the run lacks it/);
    expect(thrown(() => trainConfigOf({ ...BASE, size: 64, preset: 'film', initFrom: ref64 })).message).toMatch(/model \d+ lacks FiLM conditioning, the run has it/);
    fs.rmSync(path.join(dataDir, 'models/ref64/model.json'));
    expect(thrown(() => trainConfigOf({ ...BASE, size: 64, initFrom: ref64 })).message).toMatch(/^initFrom: model \d+ has no model.json in /);
  });

  it('gives the recipe back for runs stored before it existed and for new ones', () => {
    const old = settingsOf({ imageSize: 64, epochs: 3, batch: 8, beta: 1, lr: 8e-4, balance: 'sampler' }, places);
    expect(old).toMatchObject({ size: 64, balance: 'sampler', preset: 'reference', ageLoss: 0, filmLr: 1, initFrom: null });
    const shipped = settingsOf({ imageSize: 128, preset: 'film', film: true, ageLoss: 10, filmLr: 30, initFrom: defaultModelDir(), balance: 'none' }, places);
    expect(shipped).toMatchObject({ preset: 'film', ageLoss: 10, filmLr: 30, initFrom: 'default', balance: 'none' });
    expect(settingsOf({ preset: 'film', initFrom: path.join(dataDir, 'models/film64') }, places)).toMatchObject({ initFrom: film64 });
    const outside = settingsOf({ preset: 'film', initFrom: '/elsewhere/my-model' }, places);
    expect(outside).toMatchObject({ initFrom: null, initFromDir: path.resolve('/elsewhere/my-model') });
  });
});

describe('training with the age loss through the studio service', () => {
  it('streams the critic epochs as train.critic before the first step, and lists the run with its recipe', async () => {
    const fx = await makeTrainFixture({ count: 80, size: 64 });
    dirs.push(fx.dataDir);
    const service = createStudioService({ dataDir: fx.dataDir });
    const events: ApiEvent[] = [];
    service.onEvent((e) => events.push(e as ApiEvent));
    try {
      const small = { size: 64, epochs: 1, batch: 16, beta: 1, lr: 8e-4, balance: 'none' } as const;
      await expect(service.call('trainStart', { ...small, preset: 'film', initFrom: 'default' })).rejects.toThrow('initFrom: the default model is 128 px, the run 64 px');
      await expect(service.call('trainStart', { ...small, initFrom: 42 })).rejects.toThrow('initFrom: model 42 is not in the catalogue');

      const { runId } = await service.call('trainStart', { ...small, preset: 'film', ageLoss: 5, criticEpochs: 3, filmLr: 30 });
      // trainStart answers at the critic's first epoch: the run is running and trainStatus shows the critic.
      const status = await service.call('trainStatus', {});
      expect(status.running?.runId).toBe(runId);
      const done = await new Promise<ApiEvent>((resolve) => {
        const check = (): void => {
          const end = events.find((e) => (e.type === 'train.done' || e.type === 'train.error') && e.runId === runId);
          if (end) resolve(end);
          else setTimeout(check, 200);
        };
        check();
      });
      expect(done, JSON.stringify(done)).toMatchObject({ type: 'train.done', status: 'completed' });
      // The fixture's crops have no landmarks: the model gets the default model's prototypes, and the studio hears why.
      const { prototypes } = done as Extract<ApiEvent, { type: 'train.done' }>;
      expect(prototypes).toEqual({ source: 'default', crops: expect.any(Number), warning: expect.stringMatching(SHORT_RANGES) });
      expect(prototypes!.crops).toBeGreaterThan(0);
      const critic = events.filter((e): e is Extract<ApiEvent, { type: 'train.critic' }> => e.type === 'train.critic');
      expect(critic).toHaveLength(3);
      expect(critic.map((e) => e.epoch)).toEqual(Array.from({ length: critic.length }, (_, i) => i + 1));
      for (const e of critic) {
        expect(e.runId).toBe(runId);
        expect(e.epochs).toBe(critic.length);
        expect(e.valMae).toBeGreaterThan(0);
        expect(e.valMae).toBeLessThan(100);
        expect(Number.isFinite(e.trainMae)).toBe(true);
      }
      const firstStep = events.findIndex((e) => e.type === 'train.step');
      expect(firstStep).toBeGreaterThan(events.lastIndexOf(critic[critic.length - 1]!));
      expect(fs.existsSync(path.join(fx.dataDir, 'runs', String(runId), 'critic'))).toBe(true);

      const modelId = (done as Extract<ApiEvent, { type: 'train.done' }>).modelId!;
      const tuned = await service.call('trainStart', { ...small, preset: 'film', filmLr: 30, initFrom: modelId });
      await new Promise<void>((resolve) => {
        const check = (): void => (events.some((e) => e.type === 'train.done' && e.runId === tuned.runId) ? resolve() : void setTimeout(check, 200));
        check();
      });
      const { runs } = await service.call('runsList', {});
      expect(runs.find((r) => r.id === runId)?.settings).toMatchObject({ preset: 'film', ageLoss: 5, criticEpochs: 3, filmLr: 30, initFrom: null });
      expect(runs.find((r) => r.id === tuned.runId)?.settings).toMatchObject({ preset: 'film', ageLoss: 0, filmLr: 30, initFrom: modelId });
      // The run's age critic is listed with its best validation MAE: the lowest the events reported.
      expect(runs.find((r) => r.id === runId)?.critic).toEqual({ valMae: expect.closeTo(Math.min(...critic.map((e) => e.valMae)), 4), epochs: critic.length, seconds: expect.any(Number) });
      expect(runs.find((r) => r.id === tuned.runId)?.critic).toBeNull();
      // The warning stays with the run: the run list read again still carries it.
      expect(runs.find((r) => r.id === runId)?.prototypes).toEqual(prototypes);
      expect(runs.find((r) => r.id === tuned.runId)?.prototypes?.warning).toMatch(SHORT_RANGES);
      expect(events.some((e) => e.type === 'train.critic' && e.runId === tuned.runId)).toBe(false);

      // Cancel while the critic trains: the run ends cancelled at epoch 0.
      const third = await service.call('trainStart', { ...small, preset: 'film', ageLoss: 5 });
      expect((await service.call('trainStatus', {})).running?.critic?.epochs).toBeGreaterThan(1);
      expect(await service.call('trainCancel', { runId: third.runId })).toEqual({ cancelled: true });
      const end = await new Promise<ApiEvent>((resolve) => {
        const check = (): void => {
          const e = events.find((x) => (x.type === 'train.done' || x.type === 'train.error') && x.runId === third.runId);
          if (e) resolve(e);
          else setTimeout(check, 200);
        };
        check();
      });
      expect(end).toMatchObject({ type: 'train.done', status: 'cancelled', epochs: 0, modelId: null, prototypes: null });
      expect((await service.call('runsDetail', { runId: third.runId })).run.prototypes).toBeNull();
      expect(events.some((e) => e.type === 'train.step' && e.runId === third.runId)).toBe(false);
    } finally {
      await service.close();
    }
  });
});
