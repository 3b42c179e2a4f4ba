/**
 * The Train screen's spelling of a training recipe, both ways: recipeOfSettings for a new run, settingsOf for the run
 * list (old runs stored before the recipe settings existed included).
 */
import fs from 'node:fs';
import path from 'node:path';
import type { RunSummary, TrainSettings } from '../../contract/types.js';
import { listModels } from '../../db/models.js';
import type { ModelPlaces, TrainRecipe } from '../../workflows/train-recipe.js';

/** The screen's settings as a recipe: they differ from it only in calling the image size `size`. */
export function recipeOfSettings(s: TrainSettings): TrainRecipe {
  const { size, ...rest } = s;
  return { ...rest, imageSize: size };
}

/** The age critic saved in a run folder (ml/critic/model.ts keeps its figures in model.json), or null. */
export function criticOf(runDir: string): RunSummary['critic'] {
  const file = path.join(runDir, 'critic', 'model.json');
  if (!fs.existsSync(file)) return null;
  try {
    const info = (JSON.parse(fs.readFileSync(file, 'utf8')) as { modelTopology?: { info?: Record<string, unknown> } }).modelTopology?.info;
    if (!info || typeof info.valMae !== 'number') return null;
    return { valMae: info.valMae, epochs: Number(info.epochs ?? 0), seconds: Number(info.seconds ?? 0) };
  } catch {
    return null;
  }
}

/** A stored initFrom folder as the screen names it: 'default', a catalogue id, or null with the folder kept aside. */
function initFromOf(dir: unknown, places: ModelPlaces): { initFrom: number | 'default' | null; initFromDir?: string } {
  if (typeof dir !== 'string' || dir === '') return { initFrom: null };
  const abs = path.resolve(dir);
  if (abs === path.resolve(places.defaultDir)) return { initFrom: 'default' };
  const row = listModels(places.db).find((m) => path.resolve(places.dataDir, m.dir) === abs);
  return row ? { initFrom: row.id } : { initFrom: null, initFromDir: abs };
}

/** A run's stored config as settings; runs stored before a setting existed get its default. */
export function settingsOf(config: Record<string, unknown>, places: ModelPlaces): RunSummary['settings'] {
  return {
    ...config,
    ...(typeof config.imageSize === 'number' ? { size: config.imageSize as 64 | 128 | 256 } : {}),
    preset: config.preset === 'film' ? 'film' : 'reference',
    ageLoss: typeof config.ageLoss === 'number' ? config.ageLoss : 0,
    filmLr: typeof config.filmLr === 'number' ? config.filmLr : 1,
    ...initFromOf(config.initFrom, places),
  };
}
