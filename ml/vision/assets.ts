import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** dist/renderer (the built vision page lives in its vision/ folder), found from this module or CHRONOFACE_RENDERER_DIR. */
export function rendererDistDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.CHRONOFACE_RENDERER_DIR) return path.resolve(env.CHRONOFACE_RENDERER_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'dist/renderer');
    if (fs.existsSync(path.join(candidate, 'vision/index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  throw new Error('the vision page is not built (dist/renderer/vision/index.html missing): run `npm run build:renderer`');
}

/** dist/renderer/vision (absolute). */
export function visionAssetsDir(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(rendererDistDir(env), 'vision');
}
