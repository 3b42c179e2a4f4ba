/** The trainer in an Electron utilityProcess, over the same child protocol as the CLI's child process. */
import { utilityProcess } from 'electron';
import fs from 'node:fs';
import { driveTrainer, trainEntryPath, type TrainerChild, type TrainerLauncher } from '../app/trainer.js';

export function utilityTrainerLauncher(entry: string = trainEntryPath()): TrainerLauncher {
  return {
    start(request, onEvent) {
      if (!fs.existsSync(entry)) throw new Error(`the trainer is not built (${entry} missing)`);
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
      const child: TrainerChild = {
        get pid() {
          return proc.pid;
        },
        postMessage: (m) => {
          if (!alive) return;
          if (spawned) proc.postMessage(m);
          else queued.push(m);
        },
        onMessage: (l) => proc.on('message', l),
        onExit: (l) => proc.on('exit', (code) => l(code)),
        kill: () => {
          if (alive) proc.kill();
        },
      };
      return driveTrainer(child, request, onEvent);
    },
  };
}
