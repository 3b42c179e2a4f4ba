import path from 'node:path';
import type { AgingModel } from './model.js';

const told = new Set<string>();

/**
 * An optional part of a model folder (a file built from the catalogue), loaded once per model with `load` (which
 * returns null when the folder has none and throws, naming the file, when it does not load). A folder without it says
 * so once per file, with `note` after the file's path.
 */
export function modelPart<T>(cache: WeakMap<AgingModel, T | null>, model: AgingModel, fileName: string, load: (dir: string) => T | null, note: string): T | null {
  if (cache.has(model)) return cache.get(model)!;
  const part = model.choice.dir ? load(model.choice.dir) : null;
  cache.set(model, part);
  const file = path.join(model.choice.dir, fileName);
  if (!part && !told.has(file)) {
    told.add(file);
    console.warn(`note: the model has no ${file}; ${note}`);
  }
  return part;
}
