// Writes tests/fixtures/loss-curve-64.json: the loss curve of today's kernels, which tests/train-loss-curve.test.ts holds
// later kernels to. Run: npx esbuild tests/helpers/record-loss-curve.ts --bundle --platform=node --format=esm
//   --packages=external --outfile=dist/record-loss-curve.mjs && node dist/record-loss-curve.mjs
import fs from 'node:fs';
import { initBackend } from '../../ml/tf/backend.js';
import { LOSS_CURVE_LR, lossCurve } from './loss-curve.js';

await initBackend('wasm');
fs.writeFileSync('tests/fixtures/loss-curve-64.json', JSON.stringify(lossCurve(64, 8, 100, LOSS_CURVE_LR, true)) + '\n');
