import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vitest/config';

const root = path.dirname(fileURLToPath(import.meta.url));
const shared = path.resolve(root, process.env.CHRONOFACE_SHARED_DIR ?? '../shared');

export default defineConfig({
  plugins: [svelte({ hot: false })],
  test: {
    include: ['tests/**/*.test.ts', 'renderer/src/**/*.spec.ts'],
    testTimeout: 180_000,
    hookTimeout: 300_000,
    pool: 'forks',
    maxWorkers: 2,
    reporters: ['default', './tests/helpers/summary-reporter.ts'],
    env: {
      CHRONOFACE_SHARED_DIR: shared,
      CHRONOFACE_MODELS_DIR: process.env.CHRONOFACE_MODELS_DIR ?? path.join(shared, 'models'),
    },
  },
});
