import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type Plugin } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../dist/renderer');

/** MediaPipe's wasm runtime is loaded at run time by the vision page, from vision/wasm/. */
function copyMediapipeWasm(): Plugin {
  return {
    name: 'chronoface-copy-mediapipe-wasm',
    apply: 'build',
    closeBundle() {
      const from = path.resolve(here, '../node_modules/@mediapipe/tasks-vision/wasm');
      const to = path.join(outDir, 'vision/wasm');
      fs.mkdirSync(to, { recursive: true });
      for (const f of fs.readdirSync(from)) fs.copyFileSync(path.join(from, f), path.join(to, f));
    },
  };
}

export default defineConfig({
  root: here,
  base: './',
  plugins: [svelte(), copyMediapipeWasm()],
  build: {
    outDir,
    emptyOutDir: true,
    target: 'es2022',
    rollupOptions: {
      input: {
        studio: path.join(here, 'index.html'),
        vision: path.join(here, 'vision/index.html'),
      },
    },
  },
});
