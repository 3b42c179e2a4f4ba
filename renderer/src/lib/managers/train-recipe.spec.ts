import { describe, expect, it } from 'vitest';
import type { ModelSummary, TrainSettings } from '../../../../contract/api.js';
import { applyRecipe, describeRecipe, recipeOf, recipeProblem } from './train-recipe.js';

const base: TrainSettings = { size: 64, epochs: 3, batch: 8, beta: 1, lr: 8e-4, balance: 'none', includePending: true };
const model = (id: number | null, imageSize: number): ModelSummary => ({
  id, name: id === null ? 'default' : `run-${id}`, isDefault: id === null, imageSize, epoch: 1, ageRange: [1, 90], runId: null, createdAt: null, metrics: {},
});

describe('training recipes', () => {
  it('the shipped recipe sets the four settings and the size, epochs and batch it was trained with, keeping the rest', () => {
    const s = applyRecipe(base, 'ages');
    expect(s).toEqual({ ...base, size: 128, epochs: 14, batch: 32, preset: 'film', ageLoss: 10, filmLr: 30, initFrom: 'default' });
    expect(recipeOf(s)).toBe('ages');
    expect(recipeOf({ ...s, epochs: 40 })).toBe('ages');
    const r = applyRecipe(s, 'reference');
    expect(r).toMatchObject({ preset: 'reference', ageLoss: 0, filmLr: 1, initFrom: null, epochs: 30, includePending: true });
    expect(recipeOf(r)).toBe('reference');
  });

  it('settings stored before recipes existed read as the reference recipe; anything else is custom', () => {
    expect(recipeOf(base)).toBe('reference');
    expect(recipeOf({ ...applyRecipe(base, 'ages'), ageLoss: 5 })).toBe('custom');
    expect(describeRecipe(base)).toBe('Reference');
    expect(describeRecipe(applyRecipe(base, 'ages'))).toBe('Ages faces');
    expect(describeRecipe({ preset: 'film', ageLoss: 5, filmLr: 30, initFrom: 3 })).toBe('FiLM · age loss 5 · FiLM lr ×30 · from model 3');
    expect(describeRecipe({ preset: 'film', initFrom: 'default' })).toBe('FiLM · from default');
    expect(describeRecipe({ preset: 'reference', ageLoss: 2, initFrom: null, initFromDir: '/models/mine' })).toBe('reference · age loss 2 · from mine');
  });

  it('says before Train when the starting weights cannot fit the run', () => {
    const models = [model(4, 64), model(null, 128)];
    expect(recipeProblem(applyRecipe(base, 'ages'), models)).toBeNull();
    expect(recipeProblem({ ...applyRecipe(base, 'ages'), size: 64 }, models)).toBe('The default model is 128 px: set the image size to 128 px to start from it.');
    expect(recipeProblem({ ...base, initFrom: 4 }, models)).toBeNull();
    expect(recipeProblem({ ...base, size: 256, initFrom: 4 }, models)).toBe('Model 4 is 64 px: set the image size to 64 px to start from it.');
    expect(recipeProblem({ ...base, initFrom: 9 }, models)).toBe('Model 9 no longer exists.');
    expect(recipeProblem({ ...base, initFrom: 'default' }, [])).toBe('The default model is missing: choose "from scratch".');
    expect(recipeProblem(base, [])).toBeNull();
  });
});
