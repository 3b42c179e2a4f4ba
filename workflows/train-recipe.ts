/**
 * A training recipe: what a run is asked to do, whoever asks. The CLI's flags and the studio's settings are two
 * spellings of it; trainConfigOf turns it into the trainer's config, with every check a run can fail made here, before
 * anything trains.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { Db } from '../db/catalogue.js';
import { getModel } from '../db/models.js';
import { resolveTrainConfig, TrainConfigError, type TrainConfig } from '../ml/train/config.js';
import { TrainWorkflowError } from './train-errors.js';

export interface TrainRecipe extends Partial<Omit<TrainConfig, 'initFrom' | 'criticFrom'>> {
  /** Starting weights: a catalogue model id, 'default' (the shipped model) or a model folder; null = fresh weights. */
  initFrom?: number | string | null;
  /** An earlier run's age critic: its run folder or the critic/ folder in it. */
  criticFrom?: string | null;
}

/** Where 'default' and model ids point: the data directory's catalogue and the shipped model's folder. */
export interface ModelPlaces {
  dataDir: string;
  db: Db;
  /** assets/models/default (ml/aging/model.ts defaultModelDir()). */
  defaultDir: string;
}

interface SavedModelConfig {
  imageSize?: number;
  film?: boolean;
}

function invalid(setting: keyof TrainRecipe | null, message: string): TrainWorkflowError {
  return new TrainWorkflowError('invalid-recipe', message, setting);
}

function savedConfig(dir: string, what: string): SavedModelConfig {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw invalid('initFrom', `${what} has no model.json in ${dir}`);
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { modelTopology?: { config?: SavedModelConfig } };
    return json.modelTopology?.config ?? {};
  } catch (err) {
    throw invalid('initFrom', `${what}: ${dir}/model.json is unreadable (${err instanceof Error ? err.message : String(err)})`);
  }
}

function initPlace(initFrom: number | string, places: ModelPlaces): { dir: string; what: string } {
  if (initFrom === 'default') return { dir: places.defaultDir, what: 'the default model' };
  if (typeof initFrom === 'number') {
    const row = getModel(places.db, initFrom);
    if (!row) throw invalid('initFrom', `model ${initFrom} is not in the catalogue`);
    return { dir: path.resolve(places.dataDir, row.dir), what: `model ${initFrom}` };
  }
  const dir = path.resolve(initFrom);
  return { dir, what: `the model in ${dir}` };
}

/** The folder of the starting model, which must have the run's image size and conditioning. */
function initModelDir(initFrom: number | string, run: TrainConfig, places: ModelPlaces): string {
  const { dir, what } = initPlace(initFrom, places);
  const saved = savedConfig(dir, what);
  if (saved.imageSize !== undefined && saved.imageSize !== run.imageSize) {
    throw invalid('initFrom', `${what} is ${saved.imageSize} px, the run ${run.imageSize} px (choose size ${saved.imageSize})`);
  }
  if (saved.film !== undefined && saved.film !== run.film) {
    const has = (film: boolean): string => (film ? 'has' : 'lacks');
    throw invalid('initFrom', `${what} ${has(saved.film)} FiLM conditioning, the run ${has(run.film)} it (choose preset ${saved.film ? 'film' : 'reference'})`);
  }
  return dir;
}

/** The age critic folder of an earlier run: the folder given, or the critic/ folder in it. */
function criticDir(from: string): string {
  const dir = path.resolve(from);
  const found = [dir, path.join(dir, 'critic')].find((d) => fs.existsSync(path.join(d, 'model.json')));
  if (!found) throw invalid('criticFrom', `no age critic in ${dir} (nor in ${path.join(dir, 'critic')})`);
  return found;
}

/** The trainer's config for a new run: the recipe's settings (the trainer's defaults fill the rest), checked. */
export function trainConfigOf(recipe: TrainRecipe, places: ModelPlaces): Partial<TrainConfig> {
  const { initFrom, criticFrom, ...settings } = recipe;
  const config = Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined)) as Partial<TrainConfig>;
  let run: TrainConfig;
  try {
    run = resolveTrainConfig(config);
  } catch (err) {
    if (err instanceof TrainConfigError) throw invalid(null, err.message);
    throw err;
  }
  for (const e of run.extraLosses) if (!fs.existsSync(e.module)) throw invalid('extraLosses', `no module at ${e.module}`);
  if (initFrom !== undefined && initFrom !== null) config.initFrom = initModelDir(initFrom, run, places);
  if (criticFrom !== undefined && criticFrom !== null) config.criticFrom = criticDir(criticFrom);
  return config;
}
