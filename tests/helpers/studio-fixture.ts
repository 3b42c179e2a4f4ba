/**
 * The one import → prepare → train fixture of the full suite, built once per `npm test` by tests/setup/studio-fixture.ts
 * through the real CLI: UTKFace photos (symlinked, never copied into the repo) imported, prepared at 128 px, and a tiny
 * model trained on them for one epoch at 64 px. Tests take a private copy of its data directory.
 */
import fs from 'node:fs';
import path from 'node:path';
import { inject } from 'vitest';
import { runCli, type CliResult } from './cli.js';
import { tempDir } from './env.js';
import { FGNET_DIR, MODELS_DIR, UTKFACE_DIR } from './shared-paths.js';

export interface StudioFixture {
  root: string;
  /** The prepared and trained data directory; tests copy it (copyStudioFixture) rather than change it. */
  dataDir: string;
  /** The imported photos (symlinks into the shared UTKFace folder). */
  utkDir: string;
  /** A folder of FG-NET photos that is not imported, for tests that import or drop photos. */
  fgnetDir: string;
  modelId: number;
}

export type ProvidedStudioFixture = StudioFixture | { error: string };

declare module 'vitest' {
  export interface ProvidedContext {
    studioFixture: ProvidedStudioFixture;
  }
}

export const FIXTURE_PHOTOS = 160;

/** `count` UTKFace files spread over the ages (the folder is sorted by age), never the malformed two. */
export function pickUtkface(count: number): string[] {
  const all = fs.readdirSync(UTKFACE_DIR).filter((f) => /^\d+_[01]_\d_\d+\.jpg\.chip\.jpg$/.test(f));
  all.sort((a, b) => Number(a.split('_')[0]) - Number(b.split('_')[0]) || a.localeCompare(b));
  const step = all.length / count;
  return Array.from({ length: count }, (_, i) => all[Math.floor(i * step)]!);
}

export function pickFgnet(count: number): string[] {
  return fs.readdirSync(path.join(FGNET_DIR, 'images')).filter((f) => /\.jpe?g$/i.test(f)).sort().slice(0, count);
}

async function cli(step: string, args: string[]): Promise<CliResult> {
  const r = await runCli([...args, '--json'], { CHRONOFACE_MODELS_DIR: MODELS_DIR });
  if (r.code !== 0) throw new Error(`the studio fixture's ${step} failed (${r.code}): ${JSON.stringify(r.last)}\n${r.stderr.slice(-2000)}`);
  return r;
}

export async function buildStudioFixture(): Promise<StudioFixture> {
  const root = tempDir('studio-fixture');
  const dataDir = path.join(root, 'data');
  const utkDir = path.join(root, 'utkface');
  const fgnetDir = path.join(root, 'fgnet');
  fs.mkdirSync(utkDir);
  fs.mkdirSync(path.join(fgnetDir, 'images'), { recursive: true });
  for (const f of pickUtkface(FIXTURE_PHOTOS)) fs.symlinkSync(path.join(UTKFACE_DIR, f), path.join(utkDir, f));
  for (const f of pickFgnet(2)) fs.copyFileSync(path.join(FGNET_DIR, 'images', f), path.join(fgnetDir, 'images', f));
  await cli('import', ['import', utkDir, '--format', 'utkface', '--data-dir', dataDir]);
  await cli('prepare', ['prepare', '--size', '128', '--workers', '2', '--data-dir', dataDir]);
  const train = await cli('train', ['train', '--size', '64', '--epochs', '1', '--batch', '32', '--include-pending', '--workers', '1', '--name', 'fixture', '--data-dir', dataDir]);
  const modelId = Number(train.last.model);
  if (!Number.isInteger(modelId)) throw new Error(`the studio fixture's train gave no model id: ${JSON.stringify(train.last)}`);
  return { root, dataDir, utkDir, fgnetDir, modelId };
}

/** The suite's fixture, or the reason it could not be built (missing research data, a failed step) as this test's error. */
export function studioFixture(): StudioFixture {
  const fx = inject('studioFixture');
  if (!fx) throw new Error('no studio fixture: run this file with the full suite config (vitest.config.ts), whose globalSetup builds it');
  if ('error' in fx) throw new Error(fx.error);
  return fx;
}

/** A private copy of the fixture's data directory (catalogue, crops, runs, model), deleted with `cleanup`. */
export function copyStudioFixture(prefix: string): { dataDir: string; cleanup: () => void } {
  const fx = studioFixture();
  const root = tempDir(prefix);
  const dataDir = path.join(root, 'data');
  fs.cpSync(fx.dataDir, dataDir, { recursive: true });
  return { dataDir, cleanup: () => fs.rmSync(root, { recursive: true, force: true }) };
}
