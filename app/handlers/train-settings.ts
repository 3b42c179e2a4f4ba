/**
 * The Train screen's settings and the trainer's config, both ways: trainConfigOf for a new run, settingsOf for the
 * run list (old runs stored before the recipe settings existed included).
 */
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../../contract/api.js';
import type { RunSummary, TrainSettings } from '../../contract/types.js';
import type { Db } from '../../db/catalogue.js';
import { getModel, listModels } from '../../db/models.js';
import type { TrainConfig } from '../../ml/train/config.js';

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

function savedConfig(dir: string, what: string): SavedModelConfig {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new ApiError('invalid-argument', `initFrom: ${what} has no model.json in ${dir}`);
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { modelTopology?: { config?: SavedModelConfig } };
    return json.modelTopology?.config ?? {};
  } catch (err) {
    throw new ApiError('invalid-argument', `initFrom: ${what}: ${dir}/model.json is unreadable (${err instanceof Error ? err.message : String(err)})`);
  }
}

/**
 * The folder of the model a run starts from, checked against the run's image size and conditioning now, rather than
 * after the age critic has trained for minutes.
 */
export function initModelDir(initFrom: number | 'default', s: Pick<TrainSettings, 'size' | 'preset'>, places: ModelPlaces): string {
  let dir: string;
  let what: string;
  if (initFrom === 'default') {
    dir = places.defaultDir;
    what = 'the default model';
  } else {
    const row = getModel(places.db, initFrom);
    if (!row) throw new ApiError('invalid-argument', `initFrom: model ${initFrom} is not in the catalogue`);
    dir = path.resolve(places.dataDir, row.dir);
    what = `model ${initFrom}`;
  }
  const cfg = savedConfig(dir, what);
  if (cfg.imageSize !== undefined && cfg.imageSize !== s.size) {
    throw new ApiError('invalid-argument', `initFrom: ${what} is ${cfg.imageSize} px, the run ${s.size} px (choose size ${cfg.imageSize})`);
  }
  const film = (s.preset ?? 'reference') === 'film';
  if (cfg.film !== undefined && cfg.film !== film) {
    throw new ApiError('invalid-argument', `initFrom: ${what} ${cfg.film ? 'has' : 'lacks'} FiLM conditioning, the run ${film ? 'has' : 'lacks'} it (choose preset ${cfg.film ? 'film' : 'reference'})`);
  }
  return dir;
}

/** The trainer's config from the screen's settings. */
export function trainConfigOf(s: TrainSettings, places: ModelPlaces): Partial<TrainConfig> {
  return {
    imageSize: s.size,
    epochs: s.epochs,
    batch: s.batch,
    beta: s.beta,
    lr: s.lr,
    balance: s.balancing === 'sampling' ? 'sampler' : s.balancing,
    ...(s.includePending !== undefined ? { includePending: s.includePending } : {}),
    ...(s.limit !== undefined ? { limit: s.limit } : {}),
    ...(s.seed !== undefined ? { seed: s.seed } : {}),
    ...(s.preset !== undefined ? { preset: s.preset } : {}),
    ...(s.ageLoss !== undefined ? { ageLoss: s.ageLoss } : {}),
    ...(s.filmLr !== undefined ? { filmLr: s.filmLr } : {}),
    ...(s.initFrom !== undefined && s.initFrom !== null ? { initFrom: initModelDir(s.initFrom, s, places) } : {}),
  };
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
  const balance = config.balance;
  const preset = config.preset === 'film' ? 'film' : 'reference';
  return {
    ...config,
    ...(typeof config.imageSize === 'number' ? { size: config.imageSize as 64 | 128 | 256 } : {}),
    ...(balance === 'sampler' ? { balancing: 'sampling' as const } : balance === 'none' || balance === 'weights' ? { balancing: balance } : {}),
    preset,
    ageLoss: typeof config.ageLoss === 'number' ? config.ageLoss : 0,
    filmLr: typeof config.filmLr === 'number' ? config.filmLr : 1,
    ...initFromOf(config.initFrom, places),
  };
}
