// What every script in scripts/ needs: its command-line options, the repository root and the research data folder.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const argv = process.argv.slice(2);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** ../shared beside the repository, or CHRONOFACE_SHARED_DIR. */
export const SHARED_DIR = path.resolve(process.env.CHRONOFACE_SHARED_DIR ?? path.join(REPO_ROOT, '../shared'));

/** The value after --name, or `fallback` when the option is absent or has no value. */
export function option(name, fallback) {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 && argv[i + 1] !== undefined && !argv[i + 1].startsWith('--') ? argv[i + 1] : fallback;
}

/** The number after --name, or `fallback` when the option is absent or has no value; a value that is not a number
 *  stops the script (exit code 2) with a message naming the option. */
export function numberOption(name, fallback) {
  const text = option(name);
  if (text === undefined) return fallback;
  const value = Number(text);
  if (text.trim() !== '' && Number.isFinite(value)) return value;
  console.error(`--${name} takes a number, got "${text}"`);
  process.exit(2);
}

/** The values after --name for each of `names`, in order; when one is absent or empty the script stops (exit code 2)
 *  with `usage`. */
export function requiredOptions(usage, ...names) {
  const values = names.map((name) => option(name));
  if (values.every(Boolean)) return values;
  console.error(`usage: ${usage}`);
  process.exit(2);
}

/** True when --name is given. */
export function flag(name) {
  return argv.includes(`--${name}`);
}

/** Points the MediaPipe model lookup at ../shared/models unless CHRONOFACE_MODELS_DIR is set. */
export function useSharedModels() {
  process.env.CHRONOFACE_MODELS_DIR ??= path.join(SHARED_DIR, 'models');
}
