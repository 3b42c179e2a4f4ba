import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { parseJsonLines, runCli, startCli } from './helpers/cli.js';
import { makeTrainFixture, type TrainFixture } from './helpers/train-fixture.js';

let fx: TrainFixture;

beforeAll(async () => {
  fx = await makeTrainFixture({ count: 240 });
});

afterAll(() => {
  fs.rmSync(fx.dataDir, { recursive: true, force: true });
});

describe('chronoface train (64 px, UTKFace crops)', () => {
  it('trains 2 epochs: validation loss falls, a model is saved and listed', async () => {
    const r = await runCli(['train', '--data-dir', fx.dataDir, '--size', '64', '--epochs', '2', '--batch', '16', '--seed', '3', '--limit', '160', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const started = r.lines.find((l) => l.type === 'started')!;
    expect(started.trainCount).toBe(160);
    expect(started.valCount).toBe(fx.counts.val);
    expect(['wasm', 'cpu', 'tensorflow', 'tensorflow-gpu']).toContain(started.backend);
    expect(String(started.backendReason).length).toBeGreaterThan(5);
    const steps = r.lines.filter((l) => l.type === 'step');
    expect(steps.length).toBe(2 * 10);
    expect(steps.every((s) => Number.isFinite(s.loss) && Number(s.imagesPerSecond) > 0 && Number(s.etaSeconds) >= 0)).toBe(true);
    const epochs = r.lines.filter((l) => l.type === 'epoch');
    expect(epochs.map((e) => e.epoch)).toEqual([1, 2]);
    expect(Number(epochs[1]!.valLoss)).toBeLessThan(Number(epochs[0]!.valLoss));
    expect(Number(epochs[1]!.valPsnr)).toBeGreaterThan(Number(epochs[0]!.valPsnr));
    const recon = await sharp(path.join(fx.dataDir, String(epochs[1]!.reconFile))).metadata();
    expect([recon.width, recon.height]).toEqual([8 * 64, 2 * 64]);
    const sweep = await sharp(path.join(fx.dataDir, String(epochs[1]!.sweepFile))).metadata();
    expect(sweep.height).toBe(8 * 64);
    expect(sweep.width).toBe(((epochs[1]!.sweepAges as number[]).length + 1) * 64);
    expect(Object.keys(r.last).sort()).toEqual(['backend', 'epochs', 'model', 'prototypes', 'run', 'valLoss', 'valPsnr']);
    // No landmarks in the fixture: the default model's prototypes, with the warning printed before the result.
    const warning = r.lines.find((l) => l.type === 'warning');
    expect(String(warning?.message)).toMatch(/^too few crops with landmarks to fit age prototypes .*: using the default model's age prototypes instead$/);
    expect(r.last.prototypes).toEqual({ source: 'default', crops: expect.any(Number), warning: warning!.message });
    expect(r.last.epochs).toBe(2);
    expect(r.last.valLoss).toBe(epochs[1]!.valLoss);

    const runs = await runCli(['runs', '--data-dir', fx.dataDir, '--json']);
    const list = runs.last.runs as { id: number; status: string; epochs: unknown[]; models: { id: number; dir: string }[] }[];
    const run = list.find((x) => x.id === r.last.run)!;
    expect(run.status).toBe('completed');
    expect(run.epochs).toHaveLength(2);
    expect(run.models[0]!.id).toBe(r.last.model);
    expect(run).toMatchObject({ prototypes: r.last.prototypes });
    const dir = path.join(fx.dataDir, run.models[0]!.dir);
    for (const f of ['model.json', 'weights.bin', 'sidecar.json']) expect(fs.existsSync(path.join(dir, f))).toBe(true);
    const sidecar = JSON.parse(fs.readFileSync(path.join(dir, 'sidecar.json'), 'utf8'));
    expect(sidecar.imageSize).toBe(64);
    expect(sidecar.epoch).toBe(2);
    expect(sidecar.datasetFingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(sidecar.prep).toEqual({ size: 64, fixture: true });
    const binned = sidecar.ageBins.filter((b: { count: number }) => b.count > 0);
    expect(binned.reduce((a: number, b: { count: number }) => a + b.count, 0)).toBe(160);
    expect(binned[0].mu).toHaveLength(256);
  });

  it('survives SIGKILL mid-epoch and resumes from the checkpoint to the same result as an uninterrupted run', async () => {
    const args = ['--data-dir', fx.dataDir, '--size', '64', '--epochs', '3', '--batch', '16', '--seed', '9', '--limit', '96', '--json'];
    const straight = await runCli(['train', ...args]);
    expect(straight.code, straight.stderr).toBe(0);

    const child = startCli(['train', ...args]);
    let stdout = '';
    const killed = new Promise<void>((resolve) => {
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        const lines = parseJsonLines(stdout);
        const started = lines.find((l) => l.type === 'started');
        const afterEpoch1 = lines.findIndex((l) => l.type === 'epoch' && l.epoch === 1);
        if (started && afterEpoch1 >= 0 && lines.slice(afterEpoch1).some((l) => l.type === 'step' && l.epoch === 2 && Number(l.step) >= 2)) {
          process.kill(Number(started.pid), 'SIGKILL');
          child.kill('SIGKILL');
          resolve();
        }
      });
    });
    await killed;
    await new Promise((r) => child.on('close', r));
    const runId = Number(parseJsonLines(stdout).find((l) => l.type === 'started')!.run);

    const resumed = await runCli(['train', '--data-dir', fx.dataDir, '--resume', String(runId), '--json']);
    expect(resumed.code, resumed.stderr).toBe(0);
    const started = resumed.lines.find((l) => l.type === 'started')!;
    expect(started.run).toBe(runId);
    expect(started.startEpoch).toBe(1);
    expect(resumed.lines.filter((l) => l.type === 'epoch').map((e) => e.epoch)).toEqual([2, 3]);
    expect(resumed.last.run).toBe(runId);
    // Same data order and state from the checkpoint: the resumed run ends where the uninterrupted one did.
    expect(Number(resumed.last.valLoss)).toBeCloseTo(Number(straight.last.valLoss), 3);
    const runs = await runCli(['runs', '--data-dir', fx.dataDir, '--json']);
    const run = (runs.last.runs as { id: number; status: string; epochs: unknown[] }[]).find((x) => x.id === runId)!;
    expect(run.status).toBe('completed');
    expect(run.epochs).toHaveLength(3);
  });
});
