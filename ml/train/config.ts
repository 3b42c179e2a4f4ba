import os from 'node:os';
import { isBackendPref, type BackendPref } from '../tf/backend-names.js';
import { BALANCES, type Balance, type ImageSize, type TrainPreset } from '../../domain/training.js';
import { isImageSize } from '../cvae/config.js';

/** An extra loss through a frozen network: `module` exports createLossTerm(options, { imageSize }). */
export interface ExtraLossSpec {
  module: string;
  weight: number;
  options?: Record<string, unknown>;
}

export interface TrainConfig {
  imageSize: ImageSize;
  epochs: number;
  batch: number;
  beta: number;
  klWarmupEpochs: number;
  lr: number;
  limit: number | null;
  seed: number;
  preset: TrainPreset;
  film: boolean;
  includePending: boolean;
  balance: Balance;
  flip: boolean;
  backend: BackendPref;
  workers: number;
  extraLosses: ExtraLossSpec[];
  /** Weight of the age loss through an age critic trained on the same crops first (0: off). */
  ageLoss: number;
  /** Epochs of that age critic (the best epoch on validation is kept). */
  criticEpochs: number;
  /** Weight of an age loss through face-api's frozen age net (estimators/age-loss.ts; 0: off). */
  faceApiLoss: number;
  /** Learning-rate multiplier of the FiLM layers: they start at zero, and a fine-tune must move them far. */
  filmLr: number;
  /** A saved model folder whose weights start the run (fine-tuning) instead of a fresh initialisation. */
  initFrom: string | null;
  /** An age critic folder (a run's critic/) reused instead of training a new critic for the age loss. */
  criticFrom: string | null;
  name: string | null;
}

export const DEFAULT_CRITIC_EPOCHS = 24;

export class TrainConfigError extends Error {
  override readonly name = 'TrainConfigError';
}

export function defaultWorkers(): number {
  return Math.max(1, Math.min(8, os.availableParallelism()));
}

export function resolveTrainConfig(p: Partial<TrainConfig> = {}): TrainConfig {
  const c: TrainConfig = {
    imageSize: (p.imageSize ?? 128) as ImageSize,
    epochs: p.epochs ?? 30,
    batch: p.batch ?? 128,
    beta: p.beta ?? 1,
    klWarmupEpochs: p.klWarmupEpochs ?? 0,
    lr: p.lr ?? 8e-4,
    limit: p.limit ?? null,
    seed: p.seed ?? 1,
    preset: p.preset ?? 'reference',
    film: p.film ?? p.preset === 'film',
    includePending: p.includePending ?? false,
    balance: p.balance ?? 'none',
    flip: p.flip ?? true,
    backend: p.backend ?? 'auto',
    workers: p.workers ?? defaultWorkers(),
    extraLosses: p.extraLosses ?? [],
    ageLoss: p.ageLoss ?? 0,
    criticEpochs: p.criticEpochs ?? DEFAULT_CRITIC_EPOCHS,
    faceApiLoss: p.faceApiLoss ?? 0,
    initFrom: p.initFrom ?? null,
    filmLr: p.filmLr ?? 1,
    criticFrom: p.criticFrom ?? null,
    name: p.name ?? null,
  };
  if (!isImageSize(c.imageSize)) throw new TrainConfigError(`image size must be 64, 128 or 256, got ${String(c.imageSize)}`);
  const positive = (v: number, what: string): void => {
    if (!(typeof v === 'number' && Number.isFinite(v) && v > 0)) throw new TrainConfigError(`${what} must be a positive number, got ${String(v)}`);
  };
  positive(c.beta, 'beta (--beta)');
  positive(c.lr, 'learning rate (--lr)');
  positive(c.filmLr, 'FiLM learning-rate multiplier (--film-lr)');
  const posInt = (v: number, what: string): void => {
    if (!Number.isInteger(v) || v < 1) throw new TrainConfigError(`${what} must be a positive integer, got ${String(v)}`);
  };
  posInt(c.epochs, 'epochs (--epochs)');
  posInt(c.batch, 'batch size (--batch)');
  posInt(c.workers, 'workers (--workers)');
  posInt(c.criticEpochs, 'age critic epochs (--critic-epochs)');
  if (c.batch < 2) throw new TrainConfigError('batch size (--batch) must be at least 2 (BatchNorm needs batch statistics)');
  if (c.limit !== null) posInt(c.limit, 'limit (--limit)');
  if (!Number.isInteger(c.seed)) throw new TrainConfigError(`seed must be an integer, got ${String(c.seed)}`);
  if (!(c.klWarmupEpochs >= 0)) throw new TrainConfigError(`KL warm-up epochs must be >= 0, got ${String(c.klWarmupEpochs)}`);
  if (c.preset !== 'reference' && c.preset !== 'film') throw new TrainConfigError(`preset must be "reference" or "film", got "${String(c.preset)}"`);
  if (!BALANCES.includes(c.balance)) throw new TrainConfigError(`balance must be none, sampler or weights, got "${String(c.balance)}"`);
  if (!isBackendPref(c.backend)) throw new TrainConfigError(`backend must be auto, tensorflow-gpu, tensorflow, wasm or cpu, got "${String(c.backend)}"`);
  if (!(typeof c.ageLoss === 'number' && Number.isFinite(c.ageLoss) && c.ageLoss >= 0)) throw new TrainConfigError(`age loss weight (--age-loss) must be a number >= 0, got ${String(c.ageLoss)}`);
  if (!(typeof c.faceApiLoss === 'number' && Number.isFinite(c.faceApiLoss) && c.faceApiLoss >= 0)) throw new TrainConfigError(`face-api age loss weight (--face-api-loss) must be a number >= 0, got ${String(c.faceApiLoss)}`);
  for (const e of c.extraLosses) {
    if (typeof e.module !== 'string' || e.module.length === 0) throw new TrainConfigError('an extra loss needs a module path');
    positive(e.weight, `weight of extra loss ${e.module}`);
  }
  return c;
}

/** beta for an epoch (1-based), with the optional linear KL warm-up. */
export function betaAt(c: TrainConfig, epoch: number): number {
  if (c.klWarmupEpochs <= 0) return c.beta;
  return c.beta * Math.min(1, epoch / c.klWarmupEpochs);
}
