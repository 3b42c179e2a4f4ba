import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT, tempDir } from './helpers/env.js';

describe('without the research data in ../shared', () => {
  it('a test file that reads it fails, naming the missing folders, instead of passing early', () => {
    const gone = path.join(tempDir('no-shared'), 'shared');
    const vitest = path.join(REPO_ROOT, 'node_modules/vitest/vitest.mjs');
    const r = spawnSync(process.execPath, [vitest, 'run', '--config', 'vitest.unit.config.ts', 'tests/import-utkface.test.ts'], {
      cwd: REPO_ROOT,
      env: { ...process.env, CHRONOFACE_SHARED_DIR: gone, CHRONOFACE_MODELS_DIR: path.join(gone, 'models'), CI: 'true' },
      encoding: 'utf8',
      timeout: 120_000,
    });
    const out = r.stdout + r.stderr;
    expect(r.status, out.slice(-2000)).toBe(1);
    expect(out).toContain(`the research data these tests need is missing: ${path.join(gone, 'datasets/utkface')}, ${path.join(gone, 'datasets/fgnet/images')}, ${path.join(gone, 'models')}`);
    expect(out).toMatch(/0 passed/);
  });
});
