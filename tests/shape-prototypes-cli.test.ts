import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { REPO_ROOT } from './helpers/env.js';
import { UTKFACE_DIR } from './helpers/shared-data.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const tempDir = tempDirsForFile();
const DEFAULT_DIR = path.join(REPO_ROOT, 'assets/models/default');

describe('chronoface prototypes', () => {
  it('falls back on the default model’s prototypes, with a warning naming the short ranges, when the catalogue is too small', async () => {
    const dir = tempDir('protos-cli-');
    const photos = path.join(dir, 'photos');
    fs.mkdirSync(photos);
    for (const f of fs.readdirSync(UTKFACE_DIR).filter((n) => n.endsWith('.jpg')).slice(0, 12)) fs.copyFileSync(path.join(UTKFACE_DIR, f), path.join(photos, f));
    const data = path.join(dir, 'data');
    const imported = await runCli(['import', photos, '--data-dir', data, '--json']);
    expect(imported.code, imported.stderr).toBe(0);
    const model = path.join(dir, 'model');
    fs.mkdirSync(model);
    for (const f of ['model.json', 'weights.bin', 'sidecar.json']) fs.copyFileSync(path.join(DEFAULT_DIR, f), path.join(model, f));
    const res = await runCli(['prototypes', '--model', model, '--data-dir', data, '--json']);
    expect(res.code, res.stderr).toBe(0);
    expect(res.last.source).toBe('default');
    expect(String(res.last.warning)).toMatch(/too few crops with landmarks to fit age prototypes \(at least 20 per gender and age range\): male 0-9: 0 crops/);
    expect(res.stdout + res.stderr).toMatch(/using the default model's age prototypes instead/);
    expect(fs.readFileSync(path.join(model, 'prototypes.bin')).equals(fs.readFileSync(path.join(DEFAULT_DIR, 'prototypes.bin')))).toBe(true);
  });

  it('refuses a number of workers that is not a whole number from 1 to 32', async () => {
    const res = await runCli(['prototypes', '--model', 'default', '--workers', '0', '--data-dir', tempDir('protos-workers-')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--workers must be an integer from 1 to 32, got 0/);
  });

  it('refuses a model folder that does not exist', async () => {
    const res = await runCli(['prototypes', '--model', path.join(tempDir('protos-none-'), 'nope'), '--data-dir', tempDir('protos-data-')]);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--model: .*not a model id, nor a folder holding model\.json and sidecar\.json/);
  });
});
