/** Where the research data in ../shared (or CHRONOFACE_SHARED_DIR) is, and whether it is there. */
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from './env.js';

export const SHARED_DIR = path.resolve(process.env.CHRONOFACE_SHARED_DIR ?? path.join(REPO_ROOT, '../shared'));
export const UTKFACE_DIR = path.join(SHARED_DIR, 'datasets/utkface');
export const FGNET_DIR = path.join(SHARED_DIR, 'datasets/fgnet');
export const MODELS_DIR = path.resolve(process.env.CHRONOFACE_MODELS_DIR ?? path.join(SHARED_DIR, 'models'));

/** Why the shared research data cannot serve the tests, or null when every folder they read is there. */
export function missingSharedData(): string | null {
  const gone = [UTKFACE_DIR, path.join(FGNET_DIR, 'images'), MODELS_DIR].filter((d) => !fs.existsSync(d));
  if (gone.length === 0) return null;
  return `the research data these tests need is missing: ${gone.join(', ')} (put ../shared beside the repo, or set CHRONOFACE_SHARED_DIR and CHRONOFACE_MODELS_DIR)`;
}
