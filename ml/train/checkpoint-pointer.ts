/** The pointer file naming a run's current checkpoint; light enough for the app to check without loading TensorFlow. */
import fs from 'node:fs';
import path from 'node:path';

export const CHECKPOINT_POINTER = 'checkpoint.json';

export interface CheckpointPointer {
  epoch: number;
  /** folder name under <run>/checkpoints */
  dir: string;
  trainLosses: number[];
}

export function readPointer(runDir: string): CheckpointPointer | null {
  const file = path.join(runDir, CHECKPOINT_POINTER);
  if (!fs.existsSync(file)) return null;
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointPointer;
}

/** Whether the run folder holds a checkpoint to resume from: the pointer file and the folder it names. */
export function hasCheckpoint(runDir: string): boolean {
  try {
    const pointer = readPointer(runDir);
    return pointer !== null && fs.existsSync(path.join(runDir, 'checkpoints', pointer.dir, 'optimizer.json'));
  } catch {
    return false;
  }
}
