#!/usr/bin/env node
// Eye-centre accuracy of the detection pipeline on FG-NET's hand-placed pupils (points 31 and 36).
// Usage: npm run eval:align -- [--json] [--pages N] [--max-side PX] [--fgnet DIR]
import path from 'node:path';
import { createChromiumVisionHost } from '../dist/node/ml/vision/chromium-host.js';
import { evaluateAlignment } from '../dist/node/ml/prep/eval-align.js';
import { SHARED_DIR, flag, option, useSharedModels } from './script-args.js';

useSharedModels();
const fgnet = option('fgnet') ?? path.join(SHARED_DIR, 'datasets/fgnet');
const maxSide = option('max-side') ? Number(option('max-side')) : undefined;

const host = await createChromiumVisionHost({ pages: Number(option('pages') ?? 2) });
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
  if (flag('json')) {
    console.log(JSON.stringify(summary));
  } else {
    for (const img of r.images) console.log(`${img.file.padEnd(14)} ${img.error === null ? 'no face' : img.error.toFixed(4)}`);
    console.log(`\nfaces found in ${r.detected}/${r.photos} photos; eye error / inter-ocular: median ${summary.median}, 95th percentile ${summary.p95}, max ${summary.max}`);
  }
} finally {
  await host.close();
}
