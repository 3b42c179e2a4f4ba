/** Which runs are really running: a run marked running whose trainer process is gone was interrupted. */
import fs from 'node:fs';
import type { Db } from '../db/catalogue.js';
import { finishRun, runningRuns } from '../db/runs.js';

/**
 * Linux: a process that has died but that nobody has reaped yet (a zombie) still answers kill(pid, 0). A trainer
 * whose parent was killed with it is reparented, and an init that does not reap (a container's) leaves it so.
 */
function isZombie(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    return state === 'Z' || state === 'X';
  } catch {
    return false;
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
  return !isZombie(pid);
}

/** Marks the runs left running by a trainer that no longer exists as interrupted; returns their ids. */
export function recoverStaleRuns(db: Db): number[] {
  const stale = runningRuns(db).filter((r) => r.pid === null || !isProcessAlive(r.pid));
  for (const r of stale) {
    const who = r.pid === null ? 'its trainer process' : `its trainer process (${r.pid})`;
    finishRun(db, r.id, 'interrupted', `${who} was gone when the catalogue was next opened (it was killed, or the machine stopped)`);
  }
  return stale.map((r) => r.id);
}
