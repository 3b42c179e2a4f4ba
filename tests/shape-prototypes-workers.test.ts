import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { fitPrototypes } from '../ml/shape/fit-prototypes.js';
import { REPO_ROOT } from './helpers/env.js';
import { UTKFACE_DIR } from './helpers/shared-paths.js';
import { maxDiff, utkfaceSamples } from './helpers/utkface-prototype-samples.js';

/** The built fitPrototypes: worker threads run the built texture-worker.js (npm test builds first). */
async function builtFit(): Promise<typeof fitPrototypes> {
  const mod = (await import(pathToFileURL(path.join(REPO_ROOT, 'dist/node/ml/shape/fit-prototypes.js')).href)) as { fitPrototypes: typeof fitPrototypes };
  return mod.fitPrototypes;
}

describe('prototype fit on worker threads', () => {
  it('gives the same prototypes on two worker threads as on one, and names a crop that cannot be read', async () => {
    const samples = utkfaceSamples();
    const opts = { size: 64, textures: true };
    const fit = await builtFit();
    const one = await fit(samples, opts);
    let progress = 0;
    const two = await fit(samples, { ...opts, workers: 2, onProgress: (done) => void (progress = done) });
    expect(progress).toBe(one.crops);
    expect(two.crops).toBe(one.crops);
    for (const g of ['male', 'female'] as const) {
      two.shapes[g].forEach((row, k) => expect(maxDiff(row, one.shapes[g][k]!), `${g} shape at knot ${k}`).toBe(0));
      two.textures![g].forEach((t, k) => expect(maxDiff(t, one.textures![g][k]!), `${g} texture at knot ${k}`).toBeLessThanOrEqual(1));
    }
    const missing = path.join(UTKFACE_DIR, 'no-such-crop.png');
    const broken = samples.map((s, i) => (i === 500 ? { ...s, file: missing } : s));
    await expect(fit(broken, { ...opts, workers: 2 })).rejects.toThrow(/no-such-crop\.png/);
  }, 180_000);
});
