import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cvae } from '../cvae/model.js';
import type { CvaeSidecar } from '../cvae/sidecar.js';
import { loadCvae, readSidecar } from '../cvae/io.js';
import { initBackend, type BackendInfo } from '../tf/backend.js';
import { normalizePrepSettings, type PrepSettings } from '../prep/settings.js';
import { openCatalogue, CATALOGUE_FILE } from '../../db/catalogue.js';
import { getModel, latestModel } from '../../db/models.js';
import type { AgePrototypes } from '../shape/prototypes.js';
import { readPrototypes } from '../shape/prototypes-io.js';
import { ModelFileError } from '../io/model-file.js';

export interface ModelChoice {
  readonly dir: string;
  /** models.id in the data directory's catalogue, null for a folder or the shipped default. */
  readonly id: number | null;
  readonly name: string;
  readonly source: 'option' | 'catalogue' | 'default';
}

/** Whose age prototypes a model ages with: its own, or (when it has none) the shipped default model's. */
export type PrototypeSource = 'model' | 'default';

export interface AgingModel {
  readonly choice: ModelChoice;
  readonly cvae: Cvae;
  readonly sidecar: CvaeSidecar;
  /** The preparation settings the model was trained on: photos are aligned exactly like its training crops. */
  readonly prep: PrepSettings;
  readonly size: number;
  readonly ageRange: { min: number; max: number };
  readonly backend: BackendInfo;
  /** Age prototypes (shape and texture per age), null when neither this model nor the default model has any. */
  readonly prototypes: { readonly data: AgePrototypes; readonly source: PrototypeSource } | null;
  /** Why the prototypes were left out though the model has them (a damaged file that this aging did not need). */
  readonly prototypeWarning?: string;
}

/**
 * Whether aging needs the age prototypes: 'required' (the shape warp uses them; a damaged file fails the load, naming
 * it), 'optional' (only their texture term would; a damaged file is left out with a warning) or 'skip' (not read).
 */
export type PrototypeNeed = 'required' | 'optional' | 'skip';

/** The repository's assets/models/default (found from this file, in the source tree or in dist/node). */
export function defaultModelDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHRONOFACE_DEFAULT_MODEL) return path.resolve(env.CHRONOFACE_DEFAULT_MODEL);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'assets'))) return path.join(dir, 'assets/models/default');
    dir = path.dirname(dir);
  }
  return path.resolve('assets/models/default');
}

function isModelDir(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'model.json')) && fs.existsSync(path.join(dir, 'sidecar.json'));
}

/**
 * --model ID (the catalogue's models.id) or DIR (a model folder); else the newest model in the data directory's
 * catalogue; else the default model shipped in assets/models/default.
 */
export function chooseModel(dataDir: string, option?: string): ModelChoice {
  const hasCatalogue = fs.existsSync(path.join(dataDir, CATALOGUE_FILE));
  if (option !== undefined && option !== '') {
    if (/^\d+$/.test(option)) {
      if (!hasCatalogue) throw new Error(`model ${option}: the data directory ${dataDir} has no catalogue`);
      const db = openCatalogue(dataDir);
      try {
        const row = getModel(db, Number(option));
        if (!row) throw new Error(`model ${option} is not in the catalogue of ${dataDir} (see chronoface runs)`);
        return { dir: path.resolve(dataDir, row.dir), id: row.id, name: row.name, source: 'option' };
      } finally {
        db.close();
      }
    }
    const dir = path.resolve(option);
    if (!isModelDir(dir)) throw new Error(`--model ${option}: not a model id, nor a folder holding model.json and sidecar.json`);
    return { dir, id: null, name: path.basename(dir), source: 'option' };
  }
  if (hasCatalogue) {
    const db = openCatalogue(dataDir);
    try {
      const row = latestModel(db);
      if (row) return { dir: path.resolve(dataDir, row.dir), id: row.id, name: row.name, source: 'catalogue' };
    } finally {
      db.close();
    }
  }
  const dir = defaultModelDir();
  if (!isModelDir(dir)) {
    throw new Error(`no model: the data directory ${dataDir} has none (train one with chronoface train) and the default model is missing from ${dir}`);
  }
  return { dir, id: null, name: 'default', source: 'default' };
}

/** The preparation a model's faces are aligned with (its sidecar's), read without loading the model. */
export function modelPrep(choice: ModelChoice): PrepSettings {
  const sidecar = readSidecar(choice.dir);
  return normalizePrepSettings({ ...(sidecar.prep ?? {}), ...(sidecar.imageSize ? { size: sidecar.imageSize } : {}) });
}

export async function loadAgingModel(choice: ModelChoice, need: PrototypeNeed = 'required'): Promise<AgingModel> {
  if (!isModelDir(choice.dir)) throw new Error(`model folder ${choice.dir} lacks model.json or sidecar.json`);
  let prototypes: AgingModel['prototypes'] = null;
  let prototypeWarning: string | undefined;
  if (need !== 'skip') {
    try {
      prototypes = modelPrototypes(choice.dir);
    } catch (err) {
      if (need === 'required' || !(err instanceof ModelFileError)) throw err;
      prototypeWarning = `${err.message}; aging without the age prototypes`;
    }
  }
  const sidecar = readSidecar(choice.dir);
  const backend = await initBackend();
  const cvae = await loadCvae(choice.dir);
  const size = sidecar.imageSize ?? cvae.config.imageSize;
  const prep = normalizePrepSettings({ ...(sidecar.prep ?? {}), size });
  const min = Number(sidecar.ageRange?.min ?? 0);
  const max = Number(sidecar.ageRange?.max ?? 100);
  return { choice, cvae, sidecar, prep, size, ageRange: { min, max }, backend, prototypes, ...(prototypeWarning ? { prototypeWarning } : {}) };
}

/** The model folder's prototypes, else the default model's. */
export function modelPrototypes(dir: string): AgingModel['prototypes'] {
  const own = readPrototypes(dir);
  if (own) return { data: own, source: 'model' };
  const fallback = defaultModelDir();
  const shipped = path.resolve(fallback) === path.resolve(dir) ? null : readPrototypes(fallback);
  return shipped ? { data: shipped, source: 'default' } : null;
}
