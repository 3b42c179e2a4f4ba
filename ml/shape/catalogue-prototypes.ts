import path from 'node:path';
import type { Db } from '../../db/catalogue.js';
import type { ModelPrototypes } from '../../domain/prototypes.js';
import { prototypeSampleRows } from '../../db/prototype-samples.js';
import { applyAffine } from '../prep/geometry.js';
import { defaultModelDir } from '../aging/model.js';
import { fitPrototypes, PrototypeDataError, type PrototypeSample } from './fit-prototypes.js';
import { readPrototypes, writePrototypes } from './prototypes-io.js';

export interface BuildPrototypesOptions {
  /** Crop side of the model the prototypes go with. */
  readonly size: number;
  readonly includePending: boolean;
  readonly textures?: boolean;
  /** Worker threads for the texture pass (default 1: this thread). */
  readonly workers?: number;
  readonly onProgress?: (done: number, total: number) => void;
}

/** A pass over the catalogue's crops with their landmarks in crop px, ready to fit prototypes; each call starts a new one. */
export function catalogueSamples(db: Db, dataDir: string, includePending: boolean): () => Iterable<PrototypeSample> {
  return function* () {
    for (const r of prototypeSampleRows(db, { includePending })) {
      yield {
        age: r.age,
        gender: r.gender,
        group: r.race === null ? null : String(r.race),
        landmarks: r.landmarks.map((p) => applyAffine(r.transform, p)),
        cropSize: r.size,
        file: path.join(dataDir, r.file),
      };
    }
  };
}

/**
 * Fits age prototypes to the catalogue and writes them into `modelDir`. A catalogue too small to fit them gets the
 * default model's prototypes instead, with a warning that says which ranges were short.
 */
export async function buildModelPrototypes(db: Db, dataDir: string, modelDir: string, opts: BuildPrototypesOptions): Promise<ModelPrototypes> {
  const samples = catalogueSamples(db, dataDir, opts.includePending);
  try {
    const fitted = await fitPrototypes(samples, { size: opts.size, textures: opts.textures ?? true, workers: opts.workers, onProgress: opts.onProgress });
    writePrototypes(modelDir, fitted);
    return { source: 'catalogue', crops: fitted.crops, warning: null };
  } catch (err) {
    if (!(err instanceof PrototypeDataError)) throw err;
    const shipped = readPrototypes(defaultModelDir());
    if (!shipped) return { source: 'none', crops: 0, warning: `${err.message}; the default model has none to lend either, so this model ages without them` };
    writePrototypes(modelDir, shipped);
    return { source: 'default', crops: shipped.crops, warning: `${err.message}: using the default model's age prototypes instead` };
  }
}
