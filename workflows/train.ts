/**
 * Training, for every front end (the CLI's `train`, the studio's handlers): start a run from a recipe, or resume a
 * stopped one, in the trainer process, with the run's state kept true in the catalogue.
 */
import { openCatalogue, type Db } from '../db/catalogue.js';
import { getRun, stillRunningMessage, type RunRow } from '../db/runs.js';
import type { TrainConfig } from '../ml/train/config.js';
import { recoverStaleRuns } from './run-state.js';
import { TrainWorkflowError } from './train-errors.js';
import { trainConfigOf, type ModelPlaces, type TrainRecipe } from './train-recipe.js';
import { forkTrainer, launchTrainer, type SpawnTrainer, type TrainEvent, type TrainingHandle } from './trainer-process.js';

/** The data directory, its catalogue (opened by openTrainingCatalogue, or by the service) and the default model. */
export interface TrainingSetup extends ModelPlaces {
  /** How the trainer process is started; default: a Node child process. */
  spawn?: SpawnTrainer;
}

/** What a resumed run may change: its length and where it computes. */
export type ResumeChanges = Pick<TrainConfig, 'epochs' | 'backend' | 'workers'>;

/** Opens the catalogue to train: runs left running by a trainer that no longer exists become interrupted. */
export function openTrainingCatalogue(dataDir: string): Db {
  const db = openCatalogue(dataDir);
  recoverStaleRuns(db);
  return db;
}

export async function trainingSetup(dataDir: string, db: Db, spawn?: SpawnTrainer): Promise<TrainingSetup> {
  // Loaded on demand: ml/aging/model.js brings TensorFlow.js with it.
  const { defaultModelDir } = await import('../ml/aging/model.js');
  return { dataDir, db, defaultDir: defaultModelDir(), ...(spawn ? { spawn } : {}) };
}

/** Starts a new run; an invalid recipe is refused before the trainer starts. */
export function startTraining(setup: TrainingSetup, recipe: TrainRecipe, onEvent: (event: TrainEvent) => void): TrainingHandle {
  const config = trainConfigOf(recipe, setup);
  return launchTrainer(setup.db, setup.spawn ?? forkTrainer, { dataDir: setup.dataDir, config }, onEvent);
}

/** The run, when it can be resumed: it exists, is not complete, and no live trainer runs it. */
export function resumableRun(db: Db, runId: number): RunRow {
  recoverStaleRuns(db);
  const run = getRun(db, runId);
  if (!run) throw new TrainWorkflowError('unknown-run', `training run ${runId} does not exist`);
  if (run.status === 'completed') throw new TrainWorkflowError('run-completed', `run ${runId} is already complete`);
  if (run.status === 'running') throw new TrainWorkflowError('run-in-progress', stillRunningMessage(run.id, run.pid));
  return run;
}

/** Continues a stopped run from its last checkpoint; refused while a trainer still runs it. */
export function resumeTraining(setup: TrainingSetup, runId: number, changes: Partial<ResumeChanges>, onEvent: (event: TrainEvent) => void): TrainingHandle {
  resumableRun(setup.db, runId);
  return launchTrainer(setup.db, setup.spawn ?? forkTrainer, { dataDir: setup.dataDir, resumeRun: runId, config: changes }, onEvent);
}
