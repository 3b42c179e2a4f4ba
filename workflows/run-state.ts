/** Which runs are really running: a run marked running whose trainer process is gone was interrupted. */
import type { Db } from '../db/catalogue.js';
import { finishRun, runningRuns } from '../db/runs.js';

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: the process exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
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
