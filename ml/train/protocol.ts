import type { BackendInfo, BackendPref } from '../tf/backend.js';
import type { CvaeConfig } from '../cvae/config.js';
import type { AdamState } from './adam.js';
import type { ExtraLossSpec } from './config.js';
import type { StepInput } from './replica.js';

/** Messages between the trainer and its gradient workers (worker_threads, one wasm backend each). */
export type WorkerRequest =
  | {
      type: 'init';
      config: CvaeConfig;
      seed: number;
      lr: number;
      backend: BackendPref;
      values: [string, Float32Array][] | null;
      adam: AdamState | null;
      extraLosses: ExtraLossSpec[];
      /** learning-rate multiplier of the FiLM layers */
      filmLr: number;
      /** SharedArrayBuffer of gradient slots, each one flat gradient (trainable parameters, variable order) */
      shared: SharedArrayBuffer;
    }
  | (StepInput & {
      type: 'step';
      id: number;
      /** the slot of the shared buffer this worker writes its gradient into */
      slot: number;
    })
  | { type: 'apply'; moments: Float32Array[] | null; slots: number[] }
  | { type: 'eval'; id: number; n: number; images: Float32Array; cond: Float32Array; sweepAges: number[] | null; wantRecon: boolean }
  | { type: 'encode'; id: number; n: number; images: Float32Array; cond: Float32Array }
  | { type: 'state'; id: number }
  | { type: 'close' };

export type WorkerReply =
  | { type: 'ready'; backend: BackendInfo; parameters: number }
  | { type: 'grads'; id: number; rec: number; kl: number; extra: Record<string, number>; moments: Float32Array[]; n: number }
  | {
      type: 'eval';
      id: number;
      recSum: number;
      klSum: number;
      sqErrSum: number;
      count: number;
      recon: Float32Array | null;
      sweep: Float32Array | null;
    }
  | { type: 'encode'; id: number; mu: Float32Array }
  | { type: 'state'; id: number; values: [string, Float32Array][]; adam: AdamState }
  | { type: 'error'; id: number | null; message: string };
