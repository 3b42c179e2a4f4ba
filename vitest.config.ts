import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(root, process.env.CHRONOFACE_SHARED_DIR ?? '../shared');

/**
 * Test files that drive a headless-Chromium vision host in process or need the suite's import → prepare → train
 * fixture. They run without per-file isolation, so a worker starts one Chromium with warm MediaPipe pages
 * (tests/helpers/vision-host.ts) and every later file of the worker reuses it; none of them mocks modules.
 */
export const BROWSER_FILES = [
  'tests/aging-cli.test.ts',
  'tests/aging-model-files-cli.test.ts',
  'tests/aging-shape.test.ts',
  'tests/aging-stream-single.test.ts',
  'tests/aging-team.test.ts',
  'tests/e2e-export.test.ts',
  'tests/e2e-studio.test.ts',
  'tests/e2e-team.test.ts',
  'tests/export-formats.test.ts',
  'tests/prep-detect.test.ts',
  'tests/prep-fused-segment.test.ts',
  'tests/prep-noface-crop.test.ts',
  'tests/prep-pipeline.test.ts',
  'tests/prep-team-detect.test.ts',
  'tests/vision-host.test.ts',
];

export default defineConfig({
  plugins: [svelte({ hot: false })],
  test: {
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    env: {
      CHRONOFACE_SHARED_DIR: shared,
      CHRONOFACE_MODELS_DIR: process.env.CHRONOFACE_MODELS_DIR ?? path.join(shared, 'models'),
    },
    projects: [
      {
        extends: true,
        test: { name: 'browser', include: BROWSER_FILES, isolate: false, globalSetup: ['tests/setup/studio-fixture.ts'] },
      },
      {
        extends: true,
        test: { name: 'node', include: ['tests/**/*.test.ts', 'renderer/src/**/*.spec.ts'], exclude: BROWSER_FILES },
      },
    ],
  },
});
