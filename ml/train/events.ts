import type { ModelPrototypes } from '../../domain/prototypes.js';
import type { TrainConfig } from './config.js';

export type TrainEvent =
  | {
      type: 'started';
      run: number;
      pid: number;
      backend: string;
      backendReason: string;
      config: TrainConfig;
      trainCount: number;
      valCount: number;
      stepsPerEpoch: number;
      /** 0 for a new run, else the checkpointed epoch it resumes from */
      startEpoch: number;
      workers: number;
      parameters: number;
    }
  | { type: 'critic'; run: number; epoch: number; epochs: number; trainMae: number; valMae: number }
  | {
      type: 'step';
      run: number;
      epoch: number;
      step: number;
      steps: number;
      loss: number;
      rec: number;
      kl: number;
      beta: number;
      extra: Record<string, number>;
      imagesPerSecond: number;
      etaSeconds: number;
    }
  | {
      type: 'epoch';
      run: number;
      epoch: number;
      epochs: number;
      trainLoss: number;
      valLoss: number;
      valMse: number;
      valPsnr: number;
      valKl: number;
      /** PNGs relative to the data directory */
      reconFile: string;
      sweepFile: string;
      sweepAges: number[];
      seconds: number;
    }
  | {
      type: 'done';
      run: number;
      model: number;
      modelDir: string;
      epochs: number;
      valLoss: number;
      valPsnr: number;
      backend: string;
      /** The model's age prototypes: fitted to the training crops, or the default model's when too few (with why). */
      prototypes: ModelPrototypes;
    }
  | { type: 'cancelled'; run: number; epoch: number }
  | { type: 'error'; run: number | null; message: string };

export type TerminalEvent = Extract<TrainEvent, { type: 'done' | 'cancelled' | 'error' }>;

export function isTerminal(e: TrainEvent): e is TerminalEvent {
  return e.type === 'done' || e.type === 'cancelled' || e.type === 'error';
}
