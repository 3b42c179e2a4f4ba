import fs from 'node:fs';
import path from 'node:path';
import { runCli, type CliResult } from './helpers/cli.js';
import { tempDir, UTKFACE_DIR } from './helpers/env.js';

function check(step: string, r: CliResult): CliResult {
  if (r.code !== 0) throw new Error(`${step} failed (${r.code}): ${JSON.stringify(r.last)}\n${r.stderr.slice(-2000)}`);
  return r;
}

/**
 * A data directory with a tiny model trained in the test: `count` UTKFace crops (symlinked into a temp folder, never
 * copied into the repo) imported, prepared at 64 px and trained for one epoch, through the real CLI.
 */
export async function trainTinyModel(count = 200): Promise<{ dataDir: string; modelId: number; train: CliResult }> {
  const root = tempDir('aging');
  const photos = path.join(root, 'utk');
  fs.mkdirSync(photos);
  const files = fs.readdirSync(UTKFACE_DIR).filter((f) => /^\d+_[01]_\d_\d+\.jpg\.chip\.jpg$/.test(f)).sort();
  const step = Math.max(1, Math.floor(files.length / count));
  for (const f of files.filter((_, i) => i % step === 0).slice(0, count)) fs.symlinkSync(path.join(UTKFACE_DIR, f), path.join(photos, f));
  const dataDir = path.join(root, 'data');
  check('import', await runCli(['import', photos, '--format', 'utkface', '--data-dir', dataDir, '--json']));
  check('prepare', await runCli(['prepare', '--size', '64', '--workers', '2', '--data-dir', dataDir, '--json']));
  const train = check('train', await runCli(['train', '--size', '64', '--epochs', '1', '--batch', '32', '--include-pending', '--workers', '1', '--data-dir', dataDir, '--json']));
  const modelId = Number(train.last.model);
  if (!Number.isInteger(modelId)) throw new Error(`train gave no model id: ${JSON.stringify(train.last)}`);
  return { dataDir, modelId, train };
}
