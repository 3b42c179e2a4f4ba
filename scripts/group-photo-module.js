// tests/helpers/group-photo.ts for the scripts: it is TypeScript and not part of dist/, so it is bundled once into
// dist/bench (inside the repository, so that its packages resolve from node_modules) and imported from there.
import path from 'node:path';
import { build } from 'esbuild';
import { REPO_ROOT, SHARED_DIR } from './script-args.js';

/** The tests' group-photo generator (makeGroupPhoto, scoreDetections, recallByWidth). */
export async function groupPhotoModule() {
  // The bundled helper finds the data through this, not through its own location.
  process.env.CHRONOFACE_SHARED_DIR ??= SHARED_DIR;
  const outfile = path.join(REPO_ROOT, 'dist/bench/group-photo.mjs');
  await build({
    entryPoints: [path.join(REPO_ROOT, 'tests/helpers/group-photo.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    packages: 'external',
    outfile,
    logLevel: 'warning',
  });
  return import(outfile);
}
