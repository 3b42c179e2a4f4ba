/**
 * Training recipes: the settings that decide whether a model visibly ages (network preset, age loss, FiLM learning
 * rate, starting weights), offered as one-click presets on the Train screen.
 */
import type { ModelSummary, TrainSettings } from '../../../../contract/api.js';

export type RecipeId = 'ages' | 'reference';
export type RecipeSettings = Required<Pick<TrainSettings, 'preset' | 'ageLoss' | 'filmLr' | 'initFrom'>>;

export interface Recipe {
  id: RecipeId;
  label: string;
  description: string;
  /** The recipe's own settings; `with` are the size/epochs/batch it was measured with. */
  settings: RecipeSettings;
  with: Pick<TrainSettings, 'size' | 'epochs' | 'batch'>;
}

/** The shipped default model's recipe first (docs/training.md, "The age loss"), then the published network. */
export const RECIPES: readonly Recipe[] = [
  {
    id: 'ages',
    label: 'Ages faces',
    description: 'FiLM + age loss, fine-tuned from the default model',
    settings: { preset: 'film', ageLoss: 10, filmLr: 30, initFrom: 'default' },
    with: { size: 128, epochs: 14, batch: 32 },
  },
  {
    id: 'reference',
    label: 'Reference',
    description: 'The published CVAE from scratch: sharp reconstructions, barely ages anyone',
    settings: { preset: 'reference', ageLoss: 0, filmLr: 1, initFrom: null },
    with: { size: 128, epochs: 30, batch: 32 },
  },
];

export function recipeById(id: RecipeId): Recipe {
  return RECIPES.find((r) => r.id === id)!;
}

/** The settings with a recipe applied (its own settings and the size, epochs and batch it was measured with). */
export function applyRecipe(settings: TrainSettings, id: RecipeId): TrainSettings {
  const r = recipeById(id);
  return { ...settings, ...r.with, ...r.settings };
}

/** The recipe settings as the trainer reads them when absent. */
export function recipeSettingsOf(s: Partial<TrainSettings>): RecipeSettings {
  return { preset: s.preset ?? 'reference', ageLoss: s.ageLoss ?? 0, filmLr: s.filmLr ?? 1, initFrom: s.initFrom ?? null };
}

/** Which recipe the settings follow, or 'custom'. Size, epochs and batch may differ: they do not change the recipe. */
export function recipeOf(s: Partial<TrainSettings>): RecipeId | 'custom' {
  const own = recipeSettingsOf(s);
  const match = RECIPES.find((r) => (Object.keys(r.settings) as (keyof RecipeSettings)[]).every((k) => r.settings[k] === own[k]));
  return match?.id ?? 'custom';
}

/** One line for the run list: the recipe's name, or its settings spelled out. */
export function describeRecipe(s: Partial<TrainSettings> & { initFromDir?: unknown }): string {
  const id = recipeOf(s);
  if (id !== 'custom') return recipeById(id).label;
  const own = recipeSettingsOf(s);
  const parts: string[] = [own.preset === 'film' ? 'FiLM' : 'reference'];
  if (own.ageLoss > 0) parts.push(`age loss ${own.ageLoss}`);
  if (own.filmLr !== 1) parts.push(`FiLM lr ×${own.filmLr}`);
  if (own.initFrom === 'default') parts.push('from default');
  else if (own.initFrom !== null) parts.push(`from model ${own.initFrom}`);
  else if (typeof s.initFromDir === 'string') parts.push(`from ${s.initFromDir.split(/[\\/]/).pop() ?? s.initFromDir}`);
  return parts.join(' · ');
}

/**
 * What would make the run fail at once, said before Train is pressed: starting weights of another image size.
 * `models` are the ones the age screen lists (the default model has id null).
 */
export function recipeProblem(s: TrainSettings, models: readonly ModelSummary[]): string | null {
  if (s.initFrom === undefined || s.initFrom === null) return null;
  const m = s.initFrom === 'default' ? models.find((x) => x.isDefault) : models.find((x) => x.id === s.initFrom);
  if (!m) return s.initFrom === 'default' ? 'The default model is missing: choose "from scratch".' : `Model ${s.initFrom} no longer exists.`;
  if (m.imageSize && m.imageSize !== s.size) return `${s.initFrom === 'default' ? 'The default model' : `Model ${s.initFrom}`} is ${m.imageSize} px: set the image size to ${m.imageSize} px to start from it.`;
  return null;
}
