/**
 * The one launcher of the trainer process (ml/train/entry.js), over its child protocol:
 * parent -> child {type:'start', request} then optionally {type:'cancel', reason}; child -> parent {type:'event', event}.
 * The trainer records how its runs end; a trainer that exits without its final event leaves that to the launcher,
 * which marks its run interrupted with the reason.
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../db/catalogue.js';
import { interruptRunsOf } from '../db/runs.js';
import { isTerminal, type TerminalEvent, type TrainEvent } from '../ml/train/events.js';
import type { TrainRequest } from '../ml/train/trainer.js';

export type { TerminalEvent, TrainEvent, TrainRequest };

/** A started process seen through the few calls the protocol needs (a Node child process or an Electron utilityProcess). */
export interface TrainerChild {
  /** Known once the process has spawned. */
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  /** `signal` is null where the platform does not tell (Electron's utilityProcess). */
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(): void;
}

/** Starts the trainer entry as a process. */
export type SpawnTrainer = (entry: string) => TrainerChild;

export interface TrainingHandle {
  readonly pid: number | undefined;
  /** Stops after the current step; the last epoch's checkpoint stays. The reason is stored with the run. */
  cancel(reason: string): void;
  /** Stops the process at once (after cancel had its chance). */
  kill(): void;
  /** Resolves with the final event: done, cancelled or error (also when the process dies without one). */
  readonly done: Promise<TerminalEvent>;
}

/** dist/node/ml/train/entry.js: beside this module when built, under dist/ when run from source (tests). */
export function trainEntryPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = here.includes(`${path.sep}dist${path.sep}node${path.sep}`);
  return built ? path.resolve(here, '../ml/train/entry.js') : path.resolve(here, '../dist/node/ml/train/entry.js');
}

/** The Node spawner: child_process.fork. The trainer's stdout goes to our stderr, so a --json stdout stays clean. */
export const forkTrainer: SpawnTrainer = (entry) => {
  const proc = fork(entry, [], { stdio: ['ignore', 2, 'inherit', 'ipc'], serialization: 'advanced' });
  return {
    pid: proc.pid,
    postMessage: (m) => {
      if (proc.connected) proc.send(m as object);
    },
    onMessage: (l) => proc.on('message', l),
    // 'close' comes after every message the trainer sent has been read.
    onExit: (l) => proc.on('close', (code, signal) => l(code, signal)),
    kill: () => proc.kill('SIGKILL'),
  };
};

function diedReason(code: number | null, signal: string | null): string {
  return `the trainer process ${signal ? `was killed (${signal})` : `exited with code ${code ?? 'none'}`} before finishing`;
}

/** Starts the trainer on a request; `db` is the catalogue the run is recorded in. */
export function launchTrainer(db: Db, spawn: SpawnTrainer, request: TrainRequest, onEvent: (event: TrainEvent) => void): TrainingHandle {
  const entry = trainEntryPath();
  if (!fs.existsSync(entry)) throw new Error(`the trainer is not built (${entry} missing): run npm run build:node`);
  const child = spawn(entry);
  let final: TerminalEvent | null = null;
  let lastRun: number | null = request.resumeRun ?? null;
  const done = new Promise<TerminalEvent>((resolve) => {
    const end = (e: TerminalEvent): void => {
      final = e;
      resolve(e);
    };
    child.onMessage((raw) => {
      const msg = raw as { type?: string; event?: TrainEvent };
      if (msg?.type !== 'event' || !msg.event) return;
      const e = msg.event;
      if ('run' in e && typeof e.run === 'number') lastRun = e.run;
      onEvent(e);
      if (isTerminal(e) && !final) end(e);
    });
    child.onExit((code, signal) => {
      if (final) return;
      const reason = diedReason(code, signal);
      const pid = child.pid;
      // A closed catalogue (the app quit meanwhile) is left to the next start-up's recoverStaleRuns.
      const runs = pid !== undefined && db.open ? interruptRunsOf(db, pid, reason) : [];
      const e: TerminalEvent = { type: 'error', run: runs[0] ?? lastRun, message: reason };
      onEvent(e);
      end(e);
    });
  });
  child.postMessage({ type: 'start', request });
  return {
    get pid() {
      return child.pid;
    },
    cancel: (reason) => {
      try {
        child.postMessage({ type: 'cancel', reason });
      } catch {
        /* already gone */
      }
    },
    kill: () => child.kill(),
    done,
  };
}
