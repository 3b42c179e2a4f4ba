import type { ModelPrototypes } from '../domain/prototypes.js';
import type { RunStatus } from '../domain/run-status.js';
import { parseJson, type Db } from './catalogue.js';

export interface RunEpochRow {
  epoch: number;
  metrics: Record<string, number>;
  reconFile: string | null;
  sweepFile: string | null;
  at: string;
}

export interface RunRow {
  id: number;
  status: RunStatus;
  config: Record<string, unknown>;
  backend: string | null;
  backendReason: string | null;
  datasetFingerprint: string | null;
  /** relative to the data directory */
  dir: string;
  epochsDone: number;
  /** Why the run stopped (the failure, how its trainer died, who cancelled it); null while running or once completed. */
  error: string | null;
  /** The trainer process that runs or last ran it. */
  pid: number | null;
  startedAt: string;
  finishedAt: string | null;
  /** The age prototypes of the run's model, once completed; null before, or for runs completed before they were kept. */
  prototypes: ModelPrototypes | null;
  epochs: RunEpochRow[];
}

interface RawRun {
  id: number;
  status: RunStatus;
  config_json: string;
  backend: string | null;
  backend_reason: string | null;
  dataset_fingerprint: string | null;
  dir: string;
  epochs_done: number;
  error: string | null;
  pid: number | null;
  started_at: string;
  finished_at: string | null;
  prototypes_json: string | null;
}

interface RawEpoch {
  epoch: number;
  metrics_json: string;
  recon_file: string | null;
  sweep_file: string | null;
  at: string;
}

function epochsOf(db: Db, runId: number): RunEpochRow[] {
  const rows = db.prepare('SELECT epoch, metrics_json, recon_file, sweep_file, at FROM run_epochs WHERE run_id = ? ORDER BY epoch').all(runId) as RawEpoch[];
  return rows.map((r) => ({ epoch: r.epoch, metrics: parseJson(r.metrics_json, {}), reconFile: r.recon_file, sweepFile: r.sweep_file, at: r.at }));
}

function toRun(db: Db, r: RawRun): RunRow {
  return {
    id: r.id,
    status: r.status,
    config: parseJson(r.config_json, {}),
    backend: r.backend,
    backendReason: r.backend_reason,
    datasetFingerprint: r.dataset_fingerprint,
    dir: r.dir,
    epochsDone: r.epochs_done,
    error: r.error,
    pid: r.pid,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    prototypes: parseJson(r.prototypes_json, null),
    epochs: epochsOf(db, r.id),
  };
}

/** A new run, trained by process `pid`. */
export function createRun(db: Db, config: object, dirFor: (id: number) => string, pid: number): number {
  return db.transaction(() => {
    const info = db.prepare("INSERT INTO runs (status, config_json, dir, pid) VALUES ('running', ?, '', ?)").run(JSON.stringify(config), pid);
    const id = Number(info.lastInsertRowid);
    db.prepare('UPDATE runs SET dir = ? WHERE id = ?').run(dirFor(id), id);
    return id;
  })();
}

export function setRunBackend(db: Db, id: number, backend: string, reason: string, fingerprint: string): void {
  db.prepare('UPDATE runs SET backend = ?, backend_reason = ?, dataset_fingerprint = ? WHERE id = ?').run(backend, reason, fingerprint, id);
}

/** Why a run cannot be resumed while a trainer still runs it. */
export function stillRunningMessage(id: number, pid: number | null): string {
  return `run ${id} is still running${pid !== null ? ` (trainer process ${pid})` : ''}: cancel it or wait until it stops before resuming it`;
}

/** Marks a stopped run running again under process `pid`; false when it is running or completed (nothing changed). */
export function claimRun(db: Db, id: number, pid: number): boolean {
  const info = db
    .prepare("UPDATE runs SET status = 'running', pid = ?, error = NULL, finished_at = NULL WHERE id = ? AND status NOT IN ('running', 'completed')")
    .run(pid, id);
  return info.changes === 1;
}

export function recordEpoch(db: Db, id: number, epoch: number, metrics: Record<string, number>, reconFile: string | null, sweepFile: string | null): void {
  db.transaction(() => {
    db.prepare(
      `INSERT INTO run_epochs (run_id, epoch, metrics_json, recon_file, sweep_file) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (run_id, epoch) DO UPDATE SET metrics_json = excluded.metrics_json, recon_file = excluded.recon_file,
       sweep_file = excluded.sweep_file, at = strftime('%Y-%m-%dT%H:%M:%fZ','now')`,
    ).run(id, epoch, JSON.stringify(metrics), reconFile, sweepFile);
    db.prepare('UPDATE runs SET epochs_done = ? WHERE id = ?').run(epoch, id);
  })();
}

/** Where the age prototypes of the run's model came from (with the warning when they are not the run's own). */
export function recordRunPrototypes(db: Db, id: number, prototypes: ModelPrototypes): void {
  db.prepare('UPDATE runs SET prototypes_json = ? WHERE id = ?').run(JSON.stringify(prototypes), id);
}

export function finishRun(db: Db, id: number, status: Exclude<RunStatus, 'running'>, error: string | null = null): void {
  db.prepare("UPDATE runs SET status = ?, error = ?, finished_at = strftime('%Y-%m-%dT%H:%M:%fZ','now') WHERE id = ?").run(status, error, id);
}

/** Marks the runs process `pid` was still running as interrupted, with the reason; returns their ids. */
export function interruptRunsOf(db: Db, pid: number, reason: string): number[] {
  return db.transaction(() => {
    const ids = db.prepare("SELECT id FROM runs WHERE status = 'running' AND pid = ?").pluck().all(pid) as number[];
    for (const id of ids) finishRun(db, id, 'interrupted', reason);
    return ids;
  })();
}

/** The runs marked running, with the process that runs them (null for runs recorded before pids were kept). */
export function runningRuns(db: Db): { id: number; pid: number | null }[] {
  return db.prepare("SELECT id, pid FROM runs WHERE status = 'running'").all() as { id: number; pid: number | null }[];
}

export function getRun(db: Db, id: number): RunRow | null {
  const r = db.prepare('SELECT * FROM runs WHERE id = ?').get(id) as RawRun | undefined;
  return r ? toRun(db, r) : null;
}

/** Newest first. */
export function listRuns(db: Db): RunRow[] {
  return (db.prepare('SELECT * FROM runs ORDER BY id DESC').all() as RawRun[]).map((r) => toRun(db, r));
}

/** The backend the latest training run used, and why (for the app info). */
export function latestRunBackend(db: Db): { name: string; reason: string } | null {
  const r = db.prepare('SELECT backend, backend_reason FROM runs WHERE backend IS NOT NULL ORDER BY id DESC LIMIT 1').get() as
    | { backend: string; backend_reason: string | null }
    | undefined;
  return r ? { name: r.backend, reason: r.backend_reason ?? '' } : null;
}
