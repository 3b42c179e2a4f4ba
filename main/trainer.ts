/** The trainer in an Electron utilityProcess (child_process.fork cannot run Node from the hardened app binary). */
import { utilityProcess } from 'electron';
import type { SpawnTrainer } from '../workflows/trainer-process.js';

export const utilitySpawnTrainer: SpawnTrainer = (entry) => {
  const proc = utilityProcess.fork(entry, [], { serviceName: 'Chronoface trainer', stdio: 'inherit' });
  let alive = true;
  let spawned = false;
  const queued: unknown[] = [];
  proc.once('spawn', () => {
    spawned = true;
    for (const m of queued.splice(0)) proc.postMessage(m);
  });
  proc.on('exit', () => {
    alive = false;
  });
  return {
    get pid() {
      return proc.pid;
    },
    postMessage: (m) => {
      if (!alive) return;
      if (spawned) proc.postMessage(m);
      else queued.push(m);
    },
    onMessage: (l) => proc.on('message', l),
    onExit: (l) => proc.on('exit', (code) => l(code, null)),
    kill: () => {
      if (alive) proc.kill();
    },
  };
};
