/**
 * Starting a training run in a separate process, over the training helper's child protocol (ml/train/entry.js):
 * parent -> child {type:'start', request} then optionally {type:'cancel'}; child -> parent {type:'event', event}.
 * The CLI and the browser mode fork a Node child; Electron main uses a utilityProcess (main/trainer.ts).
 */
import { fork } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TrainEvent } from '../ml/train/events.js';
import type { TrainRequest } from '../ml/train/trainer.js';

export type { TrainEvent, TrainRequest };

export interface TrainingHandle {
  readonly pid: number | undefined;
  cancel(): void;
  /** Stops the process at once (after cancel had its chance). */
  kill(): void;
  /** Resolves with the final event (done, cancelled or error); an exit without one becomes an error event. */
  readonly done: Promise<TrainEvent>;
}

export interface TrainerLauncher {
  start(request: TrainRequest, onEvent: (event: TrainEvent) => void): TrainingHandle;
}

/** A child process seen through the few calls the protocol needs (Node ChildProcess or Electron UtilityProcess). */
export interface TrainerChild {
  readonly pid: number | undefined;
  postMessage(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null) => void): void;
  kill(): void;
}

/** dist/node/ml/train/entry.js: beside this module when built, under dist/ when run from source (tests). */
export function trainEntryPath(): string {
  const here = path.dirname(fileURLToPath(import.meta.url));
  const built = here.includes(`${path.sep}dist${path.sep}node${path.sep}`);
  return built ? path.resolve(here, '../ml/train/entry.js') : path.resolve(here, '../dist/node/ml/train/entry.js');
}

function isFinal(e: TrainEvent): boolean {
  return e.type === 'done' || e.type === 'cancelled' || e.type === 'error';
}

/** Runs the protocol over any TrainerChild. */
export function driveTrainer(child: TrainerChild, request: TrainRequest, onEvent: (event: TrainEvent) => void): TrainingHandle {
  let final: TrainEvent | null = null;
  let lastRun: number | null = null;
  const done = new Promise<TrainEvent>((resolve) => {
    child.onMessage((raw) => {
      const msg = raw as { type?: string; event?: TrainEvent };
      if (msg?.type !== 'event' || !msg.event) return;
      const e = msg.event;
      if ('run' in e && typeof e.run === 'number') lastRun = e.run;
      onEvent(e);
      if (isFinal(e) && !final) {
        final = e;
        resolve(e);
      }
    });
    child.onExit((code) => {
      if (final) return;
      final = { type: 'error', run: lastRun, message: `the trainer process exited (code ${code ?? 'none'}) before finishing` };
      onEvent(final);
      resolve(final);
    });
  });
  child.postMessage({ type: 'start', request });
  return {
    pid: child.pid,
    cancel: () => {
      try {
        child.postMessage({ type: 'cancel' });
      } catch {
        /* already gone */
      }
    },
    kill: () => child.kill(),
    done,
  };
}

/** The Node launcher: child_process.fork of the trainer entry. */
export function nodeTrainerLauncher(entry: string = trainEntryPath()): TrainerLauncher {
  return {
    start(request, onEvent) {
      if (!fs.existsSync(entry)) throw new Error(`the trainer is not built (${entry} missing): run npm run build:node`);
      const proc = fork(entry, [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
      const child: TrainerChild = {
        pid: proc.pid,
        postMessage: (m) => {
          if (proc.connected) proc.send(m as object);
        },
        onMessage: (l) => proc.on('message', l),
        onExit: (l) => proc.on('exit', (code) => l(code)),
        kill: () => proc.kill('SIGKILL'),
      };
      return driveTrainer(child, request, onEvent);
    },
  };
}
