import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';
import { makeTrainFixture } from './helpers/train-fixture.js';
import { resolveTrainConfig } from '../ml/train/config.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('train: bad configurations give clear errors', () => {
  it('rejects a size other than 64/128/256, a non-positive beta or learning rate, before starting anything', async () => {
    const dataDir = tempDir('train-cfg');
    dirs.push(dataDir);
    const cases: [string[], RegExp][] = [
      [['--size', '100'], /image size must be 64, 128 or 256, got 100/],
      [['--lr', '-0.001'], /learning rate \(--lr\) must be a positive number, got -0.001/],
    ];
    for (const [args, re] of cases) {
      const r = await runCli(['train', '--data-dir', dataDir, '--json', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(String(r.last.error)).toMatch(re);
    }
    expect(() => resolveTrainConfig({ beta: 0 })).toThrow(/beta \(--beta\) must be a positive number, got 0/);
    expect(() => resolveTrainConfig({ lr: Number.NaN })).toThrow(/learning rate \(--lr\) must be a positive number/);
    expect(() => resolveTrainConfig({ criticEpochs: 0 })).toThrow(/age critic epochs \(--critic-epochs\) must be a positive integer, got 0/);
    expect(resolveTrainConfig({}).criticEpochs).toBe(24);
    expect(() => resolveTrainConfig({ batch: 1 })).toThrow(/batch size \(--batch\) must be at least 2/);
    expect(() => resolveTrainConfig({ backend: 'gpu' as never })).toThrow(/backend must be auto, tensorflow-gpu, tensorflow, wasm or cpu/);
    expect(() => resolveTrainConfig({ imageSize: 512 as never })).toThrow(/image size must be 64, 128 or 256, got 512/);
    expect(fs.existsSync(`${dataDir}/runs`)).toBe(false);
    expect(() => resolveTrainConfig({ epochs: 0 })).toThrow(/epochs \(--epochs\) must be a positive integer/);
  });

  it('says when there are no usable crops', async () => {
    const dataDir = tempDir('train-empty');
    dirs.push(dataDir);
    const r = await runCli(['train', '--data-dir', dataDir, '--size', '64', '--json']);
    expect(r.code).toBe(1);
    expect(String(r.last.error)).toMatch(/no usable crops: the catalogue has no accepted crops/);
    const pending = await makeTrainFixture({ count: 20, status: 'pending' });
    dirs.push(pending.dataDir);
    const p = await runCli(['train', '--data-dir', pending.dataDir, '--size', '64', '--json']);
    expect(String(p.last.error)).toMatch(/no accepted crops \(review crops first, or train with --include-pending\)/);
  });

  it('says which split is empty', async () => {
    const noVal = await makeTrainFixture({ count: 20, splitOf: (i) => (i % 5 === 0 ? 'test' : 'train') });
    dirs.push(noVal.dataDir);
    const r = await runCli(['train', '--data-dir', noVal.dataDir, '--size', '64', '--json']);
    expect(r.code).toBe(1);
    expect(String(r.last.error)).toMatch(/the val split is empty/);
    const noTrain = await makeTrainFixture({ count: 20, splitOf: (i) => (i % 2 === 0 ? 'val' : 'test') });
    dirs.push(noTrain.dataDir);
    const t = await runCli(['train', '--data-dir', noTrain.dataDir, '--size', '64', '--json']);
    expect(String(t.last.error)).toMatch(/the train split is empty/);
  });
});
