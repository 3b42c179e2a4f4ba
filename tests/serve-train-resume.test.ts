/**
 * Through the browser mode's API, with the real trainer process: a trainer killed after its first epoch leaves a run
 * that is offered for Resume only once Resume works, and Resume works at the first moment it is offered.
 */
import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../app/serve/server.js';
import type { RunSummary, TrainSettings } from '../contract/api.js';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { getRun } from '../db/runs.js';
import { request } from './helpers/http-request.js';
import { makeTrainFixture } from './helpers/train-fixture.js';

/** Four epochs: three are left to train when the first is seen, so the run cannot end before the kill. */
const SMALL: TrainSettings = { size: 64, epochs: 4, batch: 8, beta: 1, lr: 8e-4, balance: 'none', seed: 9 };

let dataDir: string;
let server: RunningServer;
let db: Db;

beforeAll(async () => {
  dataDir = (await makeTrainFixture({ count: 60, size: 64 })).dataDir;
  server = await startServer({ dataDir });
  db = openCatalogue(dataDir);
});

afterAll(async () => {
  await server?.close();
  db?.close();
  fs.rmSync(dataDir, { recursive: true, force: true });
});

async function api<T>(method: string, body: unknown): Promise<{ status: number; ok: boolean; result: T; error?: { code: string; message: string } }> {
  const headers = { 'content-type': 'application/json', 'x-chronoface-token': server.token };
  const r = await request(server.port, `/api/${method}`, { method: 'POST', headers, body: JSON.stringify(body) });
  return { status: r.status, ...(JSON.parse(r.body) as { ok: boolean; result: T; error?: { code: string; message: string } }) };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function runOf(runId: number): Promise<RunSummary> {
  const { result } = await api<{ runs: RunSummary[] }>('runsList', {});
  return result.runs.find((r) => r.id === runId)!;
}

describe('browser mode: Resume after a trainer dies', () => {
  it('is offered only when it works, and works at the first moment it is offered', async () => {
    const started = await api<{ runId: number }>('trainStart', SMALL);
    expect(started).toMatchObject({ status: 200, ok: true });
    const runId = started.result.runId;
    while ((await runOf(runId)).epochsDone < 1) await sleep(50);
    const pid = getRun(db, runId)!.pid!;
    expect(pid).toBeGreaterThan(0);
    process.kill(pid, 'SIGKILL');

    // Polled without a pause; the first answer that offers Resume is followed at once by Resume.
    let polls = 0;
    let run = await runOf(runId);
    while (!run.resumable) {
      polls++;
      expect(polls, 'the run never became resumable').toBeLessThan(2_000);
      run = await runOf(runId);
    }
    const resumed = await api<{ runId: number }>('trainResume', { runId });
    expect(resumed.error?.message ?? '').toBe('');
    expect(resumed).toMatchObject({ status: 200, ok: true, result: { runId } });
    expect(run.status).toBe('interrupted');
    expect(run.epochsDone).toBeGreaterThanOrEqual(1);
    expect(run.epochsDone).toBeLessThan(4);
    expect(getRun(db, runId)!.pid).not.toBe(pid);

    let end = await runOf(runId);
    while (end.status === 'running') {
      await sleep(100);
      end = await runOf(runId);
    }
    expect(end).toMatchObject({ status: 'completed', epochsDone: 4, resumable: false });
  });
});
