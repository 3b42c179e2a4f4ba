import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCatalogue, type Db } from '../../db/catalogue.js';
import { DATA_SUBDIRS } from '../../db/data-dir.js';
import { insertModel } from '../../db/models.js';
import { buildModelPrototypes } from '../shape/catalogue-prototypes.js';
import { claimRun, createRun, finishRun, getRun, recordEpoch, recordRunPrototypes, setRunBackend, stillRunningMessage } from '../../db/runs.js';
import { makeCvaeConfig } from '../cvae/config.js';
import { loadCvaeValues, saveCvaeValues } from '../cvae/io.js';
import { mixSeed } from '../cvae/rng.js';
import { emptySidecar, type AgeBin, type CvaeSidecar } from '../cvae/sidecar.js';
import { AgeBinFit } from '../cvae/age-bins.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { betaAt, resolveTrainConfig, type ExtraLossSpec, type TrainConfig } from './config.js';
import { CropReader, epochBatches, loadTrainingSet, planEpoch, type Batch, type Sample, type TrainingSet } from './data.js';
import type { TrainEvent } from './events.js';
import { GradPool } from './grad-pool.js';
import { writeGridPng } from './grid.js';
import { hasCritic, loadCriticValues, saveCritic } from '../critic/model.js';
import { trainCritic } from '../critic/train.js';
import { initBackend } from '../tf/backend.js';

const CRITIC_LOSS_MODULE = fileURLToPath(new URL('../critic/loss-term.js', import.meta.url));
const FACE_API_LOSS_MODULE = fileURLToPath(new URL('../estimators/age-loss.js', import.meta.url));
/** Target ages the age loss draws from, within the training set's own range. */
const AGE_LOSS_RANGE = { min: 10, max: 80 };

/** The run's extra losses, with the age loss through its critic (trained first, into the run folder) when asked. */
async function extraLossesFor(config: TrainConfig, data: TrainingSet, runDir: string, emit: (e: TrainEvent) => void, runId: number, signal: AbortSignal): Promise<ExtraLossSpec[]> {
  const minAge = Math.max(data.ageRange.min, AGE_LOSS_RANGE.min);
  const maxAge = Math.max(minAge + 1, Math.min(data.ageRange.max, AGE_LOSS_RANGE.max));
  const losses = [...config.extraLosses];
  if (config.faceApiLoss > 0) losses.push({ module: FACE_API_LOSS_MODULE, weight: config.faceApiLoss, options: { minAge, maxAge } });
  if (config.ageLoss <= 0) return losses;
  const dir = path.join(runDir, 'critic');
  if (!hasCritic(dir) && config.criticFrom !== null) {
    const { values, info } = await loadCriticValues(config.criticFrom);
    await saveCritic(dir, values, info);
  }
  if (!hasCritic(dir)) {
    await initBackend(config.backend);
    const r = await trainCritic(new CropReader(config.imageSize), data.train, data.val, { epochs: config.criticEpochs, seed: config.seed, signal, onEpoch: (e) => emit({ type: 'critic', run: runId, ...e }) });
    await saveCritic(dir, r.values, r.info);
  }
  return [...losses, { module: CRITIC_LOSS_MODULE, weight: config.ageLoss, options: { dir, minAge, maxAge } }];
}

export interface TrainRequest {
  dataDir: string;
  config?: Partial<TrainConfig>;
  /** continue this run from its last checkpoint (config from the run; `config.epochs` may extend it) */
  resumeRun?: number;
}

const GRID_FACES = 8;
const EVAL_BATCH = 32;

function sweepAgesFor(range: { min: number; max: number }): number[] {
  const lo = Math.max(range.min, 5);
  const hi = Math.min(range.max, 85);
  const n = 6;
  if (hi <= lo) return [Math.round(lo)];
  return Array.from({ length: n }, (_, i) => Math.round(lo + ((hi - lo) * i) / (n - 1)));
}

async function evaluate(pool: GradPool, reader: CropReader, val: readonly Sample[], beta: number, sweepAges: number[]) {
  let recSum = 0;
  let klSum = 0;
  let count = 0;
  let grid: { recon: Float32Array; sweep: Float32Array; originals: Float32Array; n: number } | null = null;
  for (let i = 0; i < val.length; i += EVAL_BATCH) {
    const chunk = val.slice(i, i + EVAL_BATCH);
    const b = await reader.batch(chunk, null, null);
    const originals = i === 0 ? b.images.slice(0, Math.min(GRID_FACES, b.n) * reader.size * reader.size * 3) : null;
    if (i === 0) {
      const head = await reader.batch(chunk.slice(0, GRID_FACES), null, null);
      const r = await pool.evaluate(head, true, sweepAges);
      grid = { recon: r.recon!, sweep: r.sweep!, originals: originals!, n: head.n };
    }
    const r = await pool.evaluate(b, false, null);
    recSum += r.sqErrSum;
    klSum += r.klSum;
    count += r.count;
  }
  const S = reader.size;
  const mse = recSum / (count * S * S * 3) / 4; // per value, on the [0,1] pixel scale
  return {
    valLoss: (recSum + beta * klSum) / count,
    valMse: mse,
    valPsnr: 10 * Math.log10(1 / Math.max(mse, 1e-12)),
    valKl: klSum / count,
    grid: grid!,
  };
}

async function ageBinMeans(pool: GradPool, reader: CropReader, train: readonly Sample[], latent: number): Promise<AgeBin[]> {
  // The codes go into running sums a batch at a time: none is kept (at 500,000 faces they would take 500 MB).
  const fit = new AgeBinFit(train, latent);
  for (let i = 0; i < train.length; i += 64) {
    const chunk = train.slice(i, i + 64);
    const mu = await pool.encode(await reader.batch(chunk, null, null));
    chunk.forEach((_, k) => fit.add(i + k, mu.subarray(k * latent, (k + 1) * latent)));
  }
  return fit.bins();
}

/** Why the run was cancelled: the reason given to abort(), when it is text. */
function cancelReason(signal: AbortSignal): string {
  return typeof signal.reason === 'string' ? signal.reason : 'cancelled';
}

function rel(dataDir: string, p: string): string {
  return path.relative(dataDir, p).split(path.sep).join('/');
}

/** Runs (or resumes) a training run in this process, streaming events; returns when done, cancelled or failed. */
export async function runTraining(req: TrainRequest, emit: (e: TrainEvent) => void, signal: AbortSignal): Promise<void> {
  let db: Db | null = null;
  let runId: number | null = null;
  let pool: GradPool | null = null;
  try {
    db = openCatalogue(req.dataDir);
    let config: TrainConfig;
    let runDir: string;
    if (req.resumeRun !== undefined) {
      const run = getRun(db, req.resumeRun);
      if (!run) throw new Error(`no run ${req.resumeRun} to resume`);
      if (!claimRun(db, run.id, process.pid)) {
        throw new Error(run.status === 'completed' ? `run ${run.id} is already complete` : stillRunningMessage(run.id, run.pid));
      }
      const overrides: Partial<TrainConfig> = {};
      if (req.config?.epochs !== undefined) overrides.epochs = req.config.epochs;
      if (req.config?.backend !== undefined) overrides.backend = req.config.backend;
      if (req.config?.workers !== undefined) overrides.workers = req.config.workers;
      config = resolveTrainConfig({ ...(run.config as Partial<TrainConfig>), ...overrides });
      runId = run.id;
      runDir = path.join(req.dataDir, run.dir);
    } else {
      config = resolveTrainConfig(req.config ?? {});
    }
    const data: TrainingSet = loadTrainingSet(db, req.dataDir, { includePending: config.includePending, limit: config.limit, seed: config.seed });
    if (runId === null) {
      runId = createRun(db, config, (id) => `${DATA_SUBDIRS.runs}/${id}`, process.pid);
      runDir = path.join(req.dataDir, DATA_SUBDIRS.runs, String(runId));
    }
    runDir = runDir!;
    fs.mkdirSync(runDir, { recursive: true });
    const checkpoint = await readCheckpoint(runDir);
    const extraLosses = await extraLossesFor(config, data, runDir, emit, runId, signal);
    // initFrom was checked against the run's size and conditioning with the recipe (workflows/train-recipe.ts).
    const init = !checkpoint && config.initFrom ? await loadCvaeValues(config.initFrom) : null;
    const cvaeConfig = checkpoint?.config ?? init?.config ?? makeCvaeConfig({ imageSize: config.imageSize, preset: config.preset, film: config.film });
    pool = await GradPool.start(config.workers, {
      type: 'init',
      config: cvaeConfig,
      seed: config.seed,
      lr: config.lr,
      backend: config.backend,
      values: checkpoint ? [...checkpoint.values.entries()] : init ? [...init.values.entries()] : null,
      adam: checkpoint?.adam ?? null,
      extraLosses,
      filmLr: config.filmLr,
    });
    setRunBackend(db, runId, pool.backend.backend, pool.backend.reason, data.fingerprint);
    const reader = new CropReader(config.imageSize);
    const startEpoch = checkpoint?.epoch ?? 0;
    const trainLosses = checkpoint?.trainLosses ?? [];
    const firstPlan = planEpoch(data.train, config.balance, config.batch, config.seed, 1);
    emit({
      type: 'started',
      run: runId,
      pid: process.pid,
      backend: pool.backend.backend,
      backendReason: pool.backend.reason,
      config,
      trainCount: data.train.length,
      valCount: data.val.length,
      stepsPerEpoch: firstPlan.steps,
      startEpoch,
      workers: pool.size,
      parameters: pool.parameters,
    });
    const sweepAges = sweepAgesFor(data.ageRange);
    const started = Date.now();
    let stepsDone = 0;
    let stepMs = 0;
    const totalSteps = (config.epochs - startEpoch) * firstPlan.steps;
    let last: { valLoss: number; valPsnr: number; valMse: number; valKl: number; trainLoss: number } | null = null;
    const sidecarBase = (): CvaeSidecar => ({
      ...emptySidecar(cvaeConfig),
      prep: data.prep,
      ageRange: data.ageRange,
      datasetFingerprint: data.fingerprint,
      training: { run: runId, config, backend: pool!.backend.backend, backendReason: pool!.backend.reason, trainImages: data.train.length, valImages: data.val.length },
    });
    for (let epoch = startEpoch + 1; epoch <= config.epochs; epoch++) {
      const t0 = Date.now();
      const beta = betaAt(config, epoch);
      const plan = planEpoch(data.train, config.balance, config.batch, config.seed, epoch);
      let lossSum = 0;
      let step = 0;
      for await (const b of epochBatches(reader, data.train, plan, config.batch, config.flip, config.seed, epoch)) {
        if (signal.aborted) break;
        const ts = performance.now();
        const r = await pool.step(b as Batch, beta, mixSeed(config.seed, epoch, step, 0x5eed));
        const dt = performance.now() - ts;
        step++;
        stepsDone++;
        stepMs += dt;
        const extraSum = Object.values(r.extra).reduce((a, v) => a + v, 0);
        const loss = r.rec + beta * r.kl + extraSum;
        lossSum += loss;
        const avg = stepMs / stepsDone;
        emit({
          type: 'step',
          run: runId,
          epoch,
          step,
          steps: plan.steps,
          loss,
          rec: r.rec,
          kl: r.kl,
          beta,
          extra: r.extra,
          imagesPerSecond: (b.n * 1000) / dt,
          etaSeconds: Math.round(((totalSteps - stepsDone) * avg) / 1000 + (config.epochs - epoch + 1) * 2),
        });
      }
      if (signal.aborted) {
        finishRun(db, runId, 'cancelled', cancelReason(signal));
        emit({ type: 'cancelled', run: runId, epoch: epoch - 1 });
        return;
      }
      const ev = await evaluate(pool, reader, data.val, beta, sweepAges);
      const S = config.imageSize;
      const tag = String(epoch).padStart(3, '0');
      const reconFile = path.join(runDir, `epoch-${tag}-recon.png`);
      const sweepFile = path.join(runDir, `epoch-${tag}-sweep.png`);
      const g = ev.grid;
      const both = new Float32Array(g.originals.length + g.recon.length);
      both.set(g.originals);
      both.set(g.recon, g.originals.length);
      await writeGridPng(reconFile, both, S, 2, g.n, (r, c) => r * g.n + c);
      // Sweep rows: each face's original, then its decodes at the sweep ages.
      const nA = sweepAges.length;
      const sweepTiles = new Float32Array((g.n * (nA + 1)) * S * S * 3);
      const px = S * S * 3;
      for (let f = 0; f < g.n; f++) {
        sweepTiles.set(g.originals.subarray(f * px, (f + 1) * px), f * (nA + 1) * px);
        sweepTiles.set(g.sweep.subarray(f * nA * px, (f + 1) * nA * px), (f * (nA + 1) + 1) * px);
      }
      await writeGridPng(sweepFile, sweepTiles, S, g.n, nA + 1, (r, c) => r * (nA + 1) + c);
      const trainLoss = lossSum / Math.max(1, step);
      trainLosses.push(trainLoss);
      last = { valLoss: ev.valLoss, valPsnr: ev.valPsnr, valMse: ev.valMse, valKl: ev.valKl, trainLoss };
      const st = await pool.state();
      await writeCheckpoint(runDir, { epoch, config: cvaeConfig, values: st.values, adam: st.adam, trainLosses }, { ...sidecarBase(), epoch, metrics: last });
      recordEpoch(db, runId, epoch, { ...last, beta, seconds: (Date.now() - t0) / 1000 }, rel(req.dataDir, reconFile), rel(req.dataDir, sweepFile));
      emit({
        type: 'epoch',
        run: runId,
        epoch,
        epochs: config.epochs,
        ...last,
        reconFile: rel(req.dataDir, reconFile),
        sweepFile: rel(req.dataDir, sweepFile),
        sweepAges,
        seconds: (Date.now() - t0) / 1000,
      });
      if (signal.aborted) {
        finishRun(db, runId, 'cancelled', cancelReason(signal));
        emit({ type: 'cancelled', run: runId, epoch });
        return;
      }
    }
    if (!last) {
      // Resumed a run whose checkpoint already covers every epoch: evaluate it once for the final figures.
      const ev = await evaluate(pool, reader, data.val, betaAt(config, config.epochs), sweepAges);
      last = { valLoss: ev.valLoss, valPsnr: ev.valPsnr, valMse: ev.valMse, valKl: ev.valKl, trainLoss: trainLosses[trainLosses.length - 1] ?? NaN };
    }
    const bins = await ageBinMeans(pool, reader, data.train, cvaeConfig.latentDim);
    const st = await pool.state();
    const name = config.name ?? `cvae-${config.imageSize}-run${runId}`;
    const modelDirRel = `${DATA_SUBDIRS.models}/run-${runId}-${config.imageSize}px`;
    const sidecar: CvaeSidecar = {
      ...sidecarBase(),
      epoch: config.epochs,
      metrics: last,
      ageBins: bins,
      training: { ...sidecarBase().training, seconds: (Date.now() - started) / 1000, name },
    };
    await saveCvaeValues(path.join(req.dataDir, modelDirRel), cvaeConfig, st.values, sidecar);
    const prototypes = await buildModelPrototypes(db, req.dataDir, path.join(req.dataDir, modelDirRel), { size: config.imageSize, includePending: config.includePending, workers: config.workers });
    const modelId = insertModel(db, { runId, name, dir: modelDirRel, imageSize: config.imageSize, epoch: config.epochs, metrics: last });
    recordRunPrototypes(db, runId, prototypes);
    finishRun(db, runId, 'completed');
    emit({ type: 'done', run: runId, model: modelId, modelDir: modelDirRel, epochs: config.epochs, valLoss: last.valLoss, valPsnr: last.valPsnr, backend: pool.backend.backend, prototypes });
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    if (signal.aborted && db && runId !== null) {
      // Cancelled before the first epoch (while the age critic trained): nothing to resume from but the critic.
      finishRun(db, runId, 'cancelled', cancelReason(signal));
      emit({ type: 'cancelled', run: runId, epoch: 0 });
      return;
    }
    if (db && runId !== null) {
      try {
        finishRun(db, runId, 'failed', message);
      } catch {
        /* the catalogue itself failed; the event still says why */
      }
    }
    emit({ type: 'error', run: runId, message });
  } finally {
    await pool?.close();
    db?.close();
  }
}
