/**
 * The studio service with the real trainer process (64 px, a few UTKFace crops): a trainer killed mid-run leaves its
 * run interrupted and resumable as soon as it dies, Resume finishes it, and cancelled runs are resumable exactly when the
 * trainer left a checkpoint.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStudioService, type StudioService } from '../app/service.js';
import type { ApiEvent, RunSummary, TrainSettings } from '../contract/api.js';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { getRun } from '../db/runs.js';
import { makeTrainFixture } from './helpers/train-fixture.js';

const SMALL: TrainSettings = { size: 64, epochs: 3, batch: 8, beta: 1, lr: 8e-4, balance: 'none', seed: 5 };

let dataDir: string;
let db: Db;
let service: StudioService;
const events: ApiEvent[] = [];

beforeAll(async () => {
  dataDir = (await makeTrainFixture({ count: 60, size: 64 })).dataDir;
  db = openCatalogue(dataDir);
  service = createStudioService({ dataDir });
  service.onEvent((e) => events.push(e as ApiEvent));
});

afterAll(async () => {
  await service.close();
  db.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

function waitFor<T extends ApiEvent>(pred: (e: ApiEvent) => e is T, timeoutMs = 240_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const seen = events.find(pred);
    if (seen) return resolve(seen);
    const timer = setTimeout(() => (off(), reject(new Error('timed out waiting for an event'))), timeoutMs);
    const off = service.onEvent((e) => {
      if (pred(e as ApiEvent)) {
        clearTimeout(timer);
        off();
        resolve(e as T);
      }
    });
  });
}

const ended = (runId: number) => (e: ApiEvent): e is Extract<ApiEvent, { type: 'train.done' | 'train.error' }> =>
  (e.type === 'train.done' || e.type === 'train.error') && e.runId === runId;

async function summary(runId: number): Promise<RunSummary> {
  return (await service.call('runsDetail', { runId })).run;
}

describe('a trainer killed during a run', () => {
  it('leaves the run interrupted and resumable as soon as its trainer dies; Resume trains every remaining epoch', async () => {
    let killed = false;
    const off = service.onEvent((e) => {
      // Killed as soon as the first epoch is recorded, while the second trains.
      if (e.type === 'train.epoch' && e.epoch === 1 && !killed) {
        killed = true;
        process.kill(getRun(db, e.runId)!.pid!, 'SIGKILL');
      }
    });
    const { runId } = await service.call('trainStart', SMALL);
    const pid = getRun(db, runId)!.pid!;
    expect(pid).toBeGreaterThan(0);
    expect(pid).not.toBe(process.pid);

    const error = await waitFor(ended(runId));
    off();
    expect(error).toMatchObject({ type: 'train.error', runId, message: 'the trainer process was killed (SIGKILL) before finishing' });
    // Read without runsList (whose recovery would mark it too): the launcher itself marked it, with its reason.
    const run = await summary(runId);
    expect(run).toMatchObject({ status: 'interrupted', reason: 'the trainer process was killed (SIGKILL) before finishing', resumable: true, epochsDone: 1 });
    expect((await service.call('trainStatus', {})).running).toBeNull();

    expect(await service.call('trainResume', { runId })).toEqual({ runId });
    expect(events.find((e) => e.type === 'train.started' && e.runId === runId && e.resumedFrom !== undefined)).toMatchObject({ resumedFrom: 1 });
    expect(getRun(db, runId)!.pid).not.toBe(pid);
    const done = await waitFor((e): e is ApiEvent => (e.type === 'train.done' || (e.type === 'train.error' && e !== error)) && e.runId === runId);
    expect(done, JSON.stringify(done)).toMatchObject({ type: 'train.done', status: 'completed', epochs: 3 });
    const detail = await service.call('runsDetail', { runId });
    expect(detail.run).toMatchObject({ status: 'completed', reason: null, resumable: false, epochsDone: 3 });
    expect(detail.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    for (const e of detail.epochs) {
      expect(Number.isFinite(e.metrics.trainLoss) && Number.isFinite(e.metrics.valLoss) && Number.isFinite(e.metrics.valPsnr)).toBe(true);
    }
  });
});

describe('cancelled runs', () => {
  it('are resumable with the checkpoint the trainer wrote, and not without one', async () => {
    const first = await service.call('trainStart', { ...SMALL, epochs: 2 });
    await waitFor((e): e is ApiEvent => e.type === 'train.epoch' && e.runId === first.runId && e.epoch === 1);
    await service.call('trainCancel', { runId: first.runId });
    expect(await waitFor(ended(first.runId))).toMatchObject({ type: 'train.done', status: 'cancelled' });
    const runDir = path.join(dataDir, 'runs', String(first.runId));
    expect(fs.existsSync(path.join(runDir, 'checkpoint.json'))).toBe(true);
    expect(fs.readdirSync(path.join(runDir, 'checkpoints')).length).toBeGreaterThan(0);
    expect(await summary(first.runId)).toMatchObject({ status: 'cancelled', reason: 'cancelled from the studio', resumable: true });

    fs.rmSync(path.join(runDir, 'checkpoints'), { recursive: true });
    expect((await summary(first.runId)).resumable).toBe(false);
    fs.rmSync(path.join(runDir, 'checkpoint.json'));
    expect((await summary(first.runId)).resumable).toBe(false);

    // Cancelled at its first step: no epoch finished, so no checkpoint.
    const second = await service.call('trainStart', SMALL);
    await waitFor((e): e is ApiEvent => e.type === 'train.step' && e.runId === second.runId);
    await service.call('trainCancel', { runId: second.runId });
    expect(await waitFor(ended(second.runId))).toMatchObject({ type: 'train.done', status: 'cancelled', epochs: 0 });
    expect(await summary(second.runId)).toMatchObject({ status: 'cancelled', epochsDone: 0, resumable: false });
  });
});
