import path from 'node:path';
import { ApiError } from '../../contract/api.js';
import { fileRef, type Served } from '../../contract/files.js';
import type { EpochInfo, EpochMetrics, RunStatus, RunSummary, TrainSettings } from '../../contract/types.js';
import { listModels } from '../../db/models.js';
import { getRun, listRuns, type RunRow } from '../../db/runs.js';
import { hasCheckpoint } from '../../ml/train/checkpoint-pointer.js';
import { isProcessAlive, recoverStaleRuns } from '../../workflows/run-state.js';
import { resumableRun, resumeTraining, startTraining, trainingSetup, type TrainingSetup } from '../../workflows/train.js';
import type { TrainEvent, TrainingHandle } from '../../workflows/trainer-process.js';
import type { ServiceContext } from '../context.js';
import { notFound } from '../errors.js';
import { throttle } from '../events.js';
import { criticOf, recipeOfSettings, settingsOf } from './train-settings.js';
import type { HandlerGroup } from './types.js';

type TrainMethods = 'trainStart' | 'trainCancel' | 'trainResume' | 'trainStatus' | 'runsList' | 'runsDetail';

/** How long a quitting app waits for the trainer to stop after the cancel (it finishes its step first). */
export const STOP_TIMEOUT_MS = 30_000;

/** How long a new launch waits for a dead trainer's last messages (its process has gone; its channel closes next). */
const DEAD_TRAINER_WAIT_MS = 10_000;

/** The stopped runs a trainer can continue, given a checkpoint. */
const RESUMABLE: readonly RunStatus[] = ['cancelled', 'interrupted', 'failed'];

function metricsOf(m: Record<string, number>): EpochMetrics {
  return {
    ...m,
    trainLoss: m.trainLoss ?? NaN,
    valLoss: m.valLoss ?? NaN,
    valMse: m.valMse ?? NaN,
    valPsnr: m.valPsnr ?? NaN,
    kl: m.kl ?? m.valKl ?? NaN,
  };
}

export interface TrainControl {
  /** Cancels a running training and waits for it to stop (the last epoch checkpoint stays for resume). */
  stop(): Promise<void>;
}

export function trainHandlers(ctx: ServiceContext): HandlerGroup<TrainMethods> & TrainControl {
  const { bus, db } = ctx;
  recoverStaleRuns(db);
  let setupOnce: Promise<TrainingSetup> | null = null;
  const setup = (): Promise<TrainingSetup> => (setupOnce ??= trainingSetup(ctx.dataDir, db, ctx.spawnTrainer));
  let current: {
    handle: TrainingHandle;
    runId: number | null;
    epoch: number;
    epochs: number;
    backend: string | null;
    critic: { epoch: number; epochs: number; valMae: number } | null;
  } | null = null;

  const summaryOf = (r: RunRow, modelByRun: Map<number, number>, where: TrainingSetup): Served<RunSummary> => {
    const last = r.epochs.length ? r.epochs[r.epochs.length - 1]! : null;
    const runDir = path.join(ctx.dataDir, ...r.dir.split('/'));
    return {
      id: r.id,
      status: r.status,
      settings: settingsOf(r.config, where),
      backend: r.backend,
      backendReason: r.backendReason,
      epochsDone: r.epochsDone,
      epochs: typeof r.config.epochs === 'number' ? r.config.epochs : null,
      reason: r.error,
      startedAt: r.startedAt,
      finishedAt: r.finishedAt,
      last: last ? metricsOf(last.metrics) : null,
      modelId: modelByRun.get(r.id) ?? null,
      resumable: RESUMABLE.includes(r.status) && hasCheckpoint(runDir) && live()?.runId !== r.id,
      critic: r.dir ? criticOf(runDir) : null,
      prototypes: r.prototypes,
    };
  };

  const modelsByRun = (): Map<number, number> => {
    const map = new Map<number, number>();
    for (const m of listModels(db)) if (m.runId !== null && !map.has(m.runId)) map.set(m.runId, m.id);
    return map;
  };

  /** The launcher's run while its trainer lives. A trainer that has died is over (the catalogue already says
   *  interrupted, see recoverStaleRuns), though its channel may take a moment to close. */
  const live = (): typeof current => {
    const pid = current?.handle.pid;
    return current && (pid === undefined || isProcessAlive(pid)) ? current : null;
  };

  const launch = async (begin: (onEvent: (e: TrainEvent) => void) => TrainingHandle, settings: TrainSettings | null, resumeRun: number | null, where: TrainingSetup): Promise<number> => {
    const dead = current && !live() ? current : null;
    // Its last event (the run's error) comes first, then the new run's.
    if (dead) await Promise.race([dead.handle.done, new Promise((r) => setTimeout(r, DEAD_TRAINER_WAIT_MS).unref())]);
    if (current) throw new ApiError('busy', `training run ${current.runId ?? ''} is already running; cancel it first`.replace('  ', ' '));
    const step = throttle((e: Extract<TrainEvent, { type: 'step' }>) => {
      bus.emit({
        type: 'train.step',
        runId: e.run,
        epoch: e.epoch,
        step: e.step,
        steps: e.steps,
        loss: e.loss,
        recon: e.rec,
        kl: e.kl,
        imagesPerSecond: e.imagesPerSecond,
        etaSeconds: e.etaSeconds,
      });
    }, 250);
    return new Promise<number>((resolve, reject) => {
      let started = false;
      let mine: typeof current = null;
      const finish = (): void => {
        // The run is over once its final event arrives, even if the process takes a moment to exit.
        if (current === mine) current = null;
      };
      const onEvent = (e: TrainEvent): void => {
        const cur = mine;
        switch (e.type) {
          case 'started': {
            started = true;
            if (cur) Object.assign(cur, { runId: e.run, epochs: Number(e.config.epochs ?? 0), epoch: e.startEpoch, backend: e.backend, critic: null });
            const cfg = e.config as unknown as Record<string, unknown>;
            bus.emit({
              type: 'train.started',
              runId: e.run,
              settings: settings ?? (settingsOf(cfg, where) as TrainSettings),
              backend: e.backend,
              backendReason: e.backendReason,
              ...(resumeRun !== null ? { resumedFrom: e.startEpoch } : {}),
            });
            bus.emit({ type: 'catalogue.changed', what: 'runs' });
            resolve(e.run);
            break;
          }
          case 'critic':
            // The run exists from the critic's first epoch on: trainStart answers then, not minutes later.
            if (cur) Object.assign(cur, { runId: e.run, critic: { epoch: e.epoch, epochs: e.epochs, valMae: e.valMae } });
            bus.emit({ type: 'train.critic', runId: e.run, epoch: e.epoch, epochs: e.epochs, trainMae: e.trainMae, valMae: e.valMae });
            if (!started) {
              started = true;
              bus.emit({ type: 'catalogue.changed', what: 'runs' });
              resolve(e.run);
            }
            break;
          case 'step':
            step(e);
            break;
          case 'epoch':
            if (cur) cur.epoch = e.epoch;
            bus.emit({
              type: 'train.epoch',
              runId: e.run,
              epoch: e.epoch,
              epochs: e.epochs,
              metrics: { trainLoss: e.trainLoss, valLoss: e.valLoss, valMse: e.valMse, valPsnr: e.valPsnr, kl: e.valKl, seconds: e.seconds },
              reconUrl: e.reconFile ? fileRef(e.reconFile) : null,
              sweepUrl: e.sweepFile ? fileRef(e.sweepFile) : null,
            });
            break;
          case 'done':
            finish();
            bus.emit({ type: 'train.done', runId: e.run, status: 'completed', modelId: e.model, epochs: e.epochs, prototypes: e.prototypes });
            bus.emit({ type: 'catalogue.changed', what: 'models' });
            break;
          case 'cancelled':
            finish();
            bus.emit({ type: 'train.done', runId: e.run, status: 'cancelled', modelId: null, epochs: e.epoch, prototypes: null });
            break;
          case 'error':
            finish();
            bus.emit({ type: 'train.error', runId: e.run, message: e.message });
            if (!started) reject(new ApiError('failed', e.message));
            break;
        }
      };
      let handle: TrainingHandle;
      try {
        handle = begin(onEvent);
      } catch (err) {
        reject(err);
        return;
      }
      mine = { handle, runId: resumeRun, epoch: 0, epochs: settings?.epochs ?? 0, backend: null, critic: null };
      current = mine;
      void handle.done.then(() => {
        finish();
        bus.emit({ type: 'catalogue.changed', what: 'runs' });
      });
    });
  };

  return {
    async trainStart(settings) {
      const s = await setup();
      return { runId: await launch((onEvent) => startTraining(s, recipeOfSettings(settings), onEvent), settings, null, s) };
    },
    async trainResume({ runId }) {
      const s = await setup();
      // A run still training is refused as such, before 'busy' (which it would also be when this service trains it).
      resumableRun(db, runId);
      return { runId: await launch((onEvent) => resumeTraining(s, runId, {}, onEvent), null, runId, s) };
    },
    async trainCancel({ runId }) {
      if (!current || (runId !== undefined && current.runId !== null && current.runId !== runId)) return { cancelled: false };
      current.handle.cancel('cancelled from the studio');
      return { cancelled: true };
    },
    async trainStatus() {
      const cur = live();
      if (!cur || cur.runId === null) return { running: null };
      const { runId, epoch, epochs, backend, critic } = cur;
      return { running: { runId, epoch, epochs, backend, ...(critic ? { critic } : {}) } };
    },
    async runsList() {
      recoverStaleRuns(db);
      const byRun = modelsByRun();
      const where = await setup();
      return { runs: listRuns(db).map((r) => summaryOf(r, byRun, where)) };
    },
    async runsDetail({ runId }) {
      const run = getRun(db, runId);
      if (!run) throw notFound(`training run ${runId} does not exist`);
      const epochs: Served<EpochInfo>[] = run.epochs.map((e) => ({
        epoch: e.epoch,
        metrics: metricsOf(e.metrics),
        reconUrl: e.reconFile ? fileRef(e.reconFile) : null,
        sweepUrl: e.sweepFile ? fileRef(e.sweepFile) : null,
        at: e.at,
      }));
      return { run: summaryOf(run, modelsByRun(), await setup()), epochs };
    },
    async stop() {
      const cur = current;
      if (!cur) return;
      cur.handle.cancel('stopped when the studio closed');
      const timeout = new Promise<'timeout'>((r) => setTimeout(() => r('timeout'), STOP_TIMEOUT_MS).unref());
      if ((await Promise.race([cur.handle.done, timeout])) === 'timeout') {
        cur.handle.kill();
        await cur.handle.done;
      }
    },
  };
}
