import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
/** ../shared beside the repo, or CHRONOFACE_SHARED_DIR. Read-only research data: never copy it into the repo. */
export const SHARED_DIR = path.resolve(process.env.CHRONOFACE_SHARED_DIR ?? path.join(REPO_ROOT, '../shared'));
export const UTKFACE_DIR = path.join(SHARED_DIR, 'datasets/utkface');
export const FGNET_DIR = path.join(SHARED_DIR, 'datasets/fgnet');
export const MODELS_DIR = path.resolve(process.env.CHRONOFACE_MODELS_DIR ?? path.join(SHARED_DIR, 'models'));
export const CLI = path.join(REPO_ROOT, 'bin/chronoface.js');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `chronoface-${prefix}-`));
}
