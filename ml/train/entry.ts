import { runTraining, type TrainRequest } from './trainer.js';
import type { TrainEvent } from './events.js';

/**
 * Trainer process entry. Node: child_process.fork(); Electron: utilityProcess.fork() (process.parentPort).
 * parent -> child: {type:'start', request} then optionally {type:'cancel', reason?}; child -> parent: {type:'event', event}.
 * The cancel reason is stored with the cancelled run.
 */
type Inbound = { type: 'start'; request: TrainRequest } | { type: 'cancel'; reason?: string };

interface ParentPort {
  postMessage(m: unknown): void;
  on(event: 'message', cb: (e: { data: unknown }) => void): void;
}

const electronPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
const controller = new AbortController();
let started = false;

function send(m: unknown): Promise<void> {
  if (electronPort) {
    electronPort.postMessage(m);
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    if (!process.send || !process.connected) return resolve();
    process.send(m, undefined, {}, () => resolve());
  });
}

function handle(m: Inbound): void {
  if (m.type === 'cancel') {
    controller.abort(m.reason ?? 'cancelled');
    return;
  }
  if (m.type !== 'start' || started) return;
  started = true;
  let pending: Promise<void> = Promise.resolve();
  const emit = (event: TrainEvent): void => {
    pending = pending.then(() => send({ type: 'event', event }));
  };
  void runTraining(m.request, emit, controller.signal)
    .catch((err: unknown) => emit({ type: 'error', run: null, message: err instanceof Error ? err.message : String(err) }))
    .then(() => pending)
    .then(() => process.exit(0));
}

if (electronPort) electronPort.on('message', (e) => handle(e.data as Inbound));
else {
  process.on('message', (m) => handle(m as Inbound));
  // The parent went away: stop after the current step (the last epoch checkpoint stays).
  process.on('disconnect', () => controller.abort('the process that started the trainer went away'));
}
process.on('SIGTERM', () => controller.abort('the trainer received SIGTERM'));
process.on('SIGINT', () => controller.abort('cancelled with Ctrl-C (SIGINT)'));
