#!/usr/bin/env node
// Eye-centre accuracy of the detection pipeline on FG-NET's hand-placed pupils (points 31 and 36).
// Usage: npm run eval:align -- [--json] [--pages N] [--max-side PX] [--fgnet DIR]
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createPlaywrightVisionHost } from '../dist/node/ml/vision/playwright-host.js';
import { evaluateAlignment } from '../dist/node/ml/prep/eval-align.js';

const argv = process.argv.slice(2);
const opt = (name) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : undefined;
};
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const shared = path.resolve(process.env.CHRONOFACE_SHARED_DIR ?? path.join(repo, '../shared'));
process.env.CHRONOFACE_MODELS_DIR ??= path.join(shared, 'models');
const fgnet = opt('fgnet') ?? path.join(shared, 'datasets/fgnet');
const maxSide = opt('max-side') ? Number(opt('max-side')) : undefined;

const host = await createPlaywrightVisionHost({ pages: Number(opt('pages') ?? 2) });
try {
  const r = await evaluateAlignment(host, fgnet, { maxSide });
  const summary = {
    photos: r.photos,
    detected: r.detected,
    detectedFraction: Number(r.detectedFraction.toFixed(4)),
    median: Number(r.median.toFixed(4)),
    p95: Number(r.p95.toFixed(4)),
    mean: Number(r.mean.toFixed(4)),
    max: Number(r.max.toFixed(4)),
    seconds: Number(r.seconds.toFixed(2)),
  };
  if (argv.includes('--json')) {
    console.log(JSON.stringify(summary));
  } else {
    for (const img of r.images) console.log(`${img.file.padEnd(14)} ${img.error === null ? 'no face' : img.error.toFixed(4)}`);
    console.log(`\nfaces found in ${r.detected}/${r.photos} photos; eye error / inter-ocular: median ${summary.median}, 95th percentile ${summary.p95}, max ${summary.max}`);
  }
} finally {
  await host.close();
}
