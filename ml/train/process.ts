import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { isTerminal, type TerminalEvent, type TrainEvent } from './events.js';
import type { TrainRequest } from './trainer.js';

/** The trainer process entry (dist/node/ml/train/entry.js). */
export const TRAIN_ENTRY = fileURLToPath(new URL('./entry.js', import.meta.url));

export interface TrainingHandle {
  pid: number | undefined;
  /** Stops after the current step; the last epoch's checkpoint stays. */
  cancel(): void;
  /** Resolves with the last event: done, cancelled or error (also when the process dies without saying). */
  done: Promise<TerminalEvent>;
}

/** Starts training in a child process (Node). Electron uses utilityProcess.fork(TRAIN_ENTRY) with the same messages. */
export function startTrainingProcess(req: TrainRequest, onEvent: (e: TrainEvent) => void): TrainingHandle {
  const child = fork(TRAIN_ENTRY, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' });
  let terminal: TerminalEvent | null = null;
  let runId: number | null = null;
  const done = new Promise<TerminalEvent>((resolve) => {
    child.on('message', (m: { type: string; event?: TrainEvent }) => {
      if (m.type !== 'event' || !m.event) return;
      if ('run' in m.event && typeof m.event.run === 'number') runId = m.event.run;
      onEvent(m.event);
      if (isTerminal(m.event)) terminal = m.event;
    });
    child.on('exit', (code, sig) => {
      if (terminal) return resolve(terminal);
      const e: TerminalEvent = { type: 'error', run: runId, message: `the trainer process died (${sig ?? `exit code ${code}`}); resume with --resume ${runId ?? 'RUN'}` };
      onEvent(e);
      resolve(e);
    });
    child.on('error', (err) => {
      if (terminal) return;
      terminal = { type: 'error', run: runId, message: `cannot start the trainer: ${err.message}` };
      onEvent(terminal);
      resolve(terminal);
    });
  });
  child.send({ type: 'start', request: req });
  return {
    pid: child.pid,
    cancel: () => {
      if (child.connected) child.send({ type: 'cancel' });
    },
    done,
  };
}
