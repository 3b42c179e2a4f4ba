/**
 * A run's state stays true whoever trains it: a run left running by a trainer that no longer exists becomes
 * interrupted when the studio or the CLI opens the catalogue, and a run a live trainer still runs cannot be resumed.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { createStudioService } from '../app/service.js';
import { ApiError } from '../contract/api.js';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { getRun } from '../db/runs.js';
import { runCli } from './helpers/cli.js';
import { tempDir } from './helpers/env.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

/** The pid of a process that has exited. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '']);
  expect(r.status).toBe(0);
  return r.pid;
}

/**
 * A process that has exited but was never reaped (a zombie), as a trainer is when its parent dies with it and init does
 * not reap: `sh` starts it, then becomes `sleep`, which never waits for it.
 */
async function zombie(): Promise<{ pid: number; parent: ChildProcess }> {
  // The child outlives the exec by a moment, so sh never gets the chance to reap it.
  const parent = spawn('sh', ['-c', 'sleep 0.5 & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const pid = await new Promise<number>((resolve) => parent.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim()))));
  const state = (): string => fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]![0]!;
  for (let i = 0; i < 250 && state() !== 'Z'; i++) await new Promise((r) => setTimeout(r, 20));
  expect(state()).toBe('Z');
  return { pid, parent };
}

function runningRow(db: Db, pid: number | null): number {
  const id = Number(db.prepare("INSERT INTO runs (status, config_json, dir, pid) VALUES ('running', '{\"epochs\":3}', '', ?)").run(pid).lastInsertRowid);
  db.prepare('UPDATE runs SET dir = ? WHERE id = ?').run(`runs/${id}`, id);
  return id;
}

describe('runs whose trainer is gone', () => {
  it('become interrupted, with the reason, when the studio service starts and when the CLI lists runs (unreaped trainers too)', async () => {
    const dataDir = tempDir('run-state');
    dirs.push(dataDir);
    const db = openCatalogue(dataDir);
    const gone = deadPid();
    const stale = runningRow(db, gone);
    const legacy = runningRow(db, null);
    const alive = runningRow(db, process.pid);
    const unreaped = await zombie();
    const undead = runningRow(db, unreaped.pid);
    const service = createStudioService({ dataDir });
    try {
      const { runs } = await service.call('runsList', {});
      const byId = new Map(runs.map((r) => [r.id, r]));
      expect(byId.get(stale)).toMatchObject({ status: 'interrupted', resumable: false });
      expect(byId.get(stale)!.reason).toBe(`its trainer process (${gone}) was gone when the catalogue was next opened (it was killed, or the machine stopped)`);
      expect(byId.get(legacy)).toMatchObject({ status: 'interrupted' });
      expect(byId.get(undead)).toMatchObject({ status: 'interrupted' });
      expect(byId.get(alive)).toMatchObject({ status: 'running', reason: null });
      expect(getRun(db, stale)!.finishedAt).not.toBeNull();
    } finally {
      await service.close();
      unreaped.parent.kill();
    }

    const later = runningRow(db, deadPid());
    const listed = await runCli(['runs', '--data-dir', dataDir, '--json']);
    expect(listed.code, listed.stderr).toBe(0);
    const cliRuns = listed.last.runs as { id: number; status: string; error: string | null }[];
    expect(cliRuns.find((r) => r.id === later)).toMatchObject({ status: 'interrupted', error: expect.stringMatching(/^its trainer process \(\d+\) was gone/) });
    expect(cliRuns.find((r) => r.id === alive)?.status).toBe('running');
    db.close();
  });
});

describe('resuming a run a live trainer still runs', () => {
  it('is refused with run-in-progress by the studio and with the same message by the CLI, and the run keeps running', async () => {
    const dataDir = tempDir('run-busy');
    dirs.push(dataDir);
    const db = openCatalogue(dataDir);
    const id = runningRow(db, process.pid);
    const message = `run ${id} is still running (trainer process ${process.pid}): cancel it or wait until it stops before resuming it`;
    const service = createStudioService({ dataDir });
    try {
      const err = await service.call('trainResume', { runId: id }).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ApiError);
      expect(err).toMatchObject({ code: 'run-in-progress', message });
      await expect(service.call('trainResume', { runId: id + 100 })).rejects.toMatchObject({ code: 'not-found' });
    } finally {
      await service.close();
    }
    const cli = await runCli(['train', '--data-dir', dataDir, '--resume', String(id), '--json']);
    expect(cli.code).toBe(1);
    expect(cli.last.error).toBe(message);
    expect(getRun(db, id)).toMatchObject({ status: 'running', pid: process.pid, error: null });
    db.close();
  });
});
