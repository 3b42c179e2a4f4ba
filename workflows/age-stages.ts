import type { EventOf } from '../contract/api.js';

/** The contract's `age.progress` stages. */
export type AgeStage = EventOf<'age.progress'>['stage'];

/** The order the stages of one face happen in; a Record, so every stage of the contract has its place. */
const STAGE_ORDER: Record<AgeStage, number> = { detect: 0, align: 1, decode: 2, compose: 3, encode: 4 };

export const AGE_STAGE_COUNT = Object.keys(STAGE_ORDER).length;

/** `stage` starts now, with `done` of the `total` stages behind it; done === total once the photo is finished. */
export interface AgeProgress {
  readonly stage: AgeStage;
  readonly done: number;
  readonly total: number;
  /** The face being worked on (left to right from 0), null while detecting and once finished. */
  readonly face: number | null;
}

export type AgeProgressListener = (progress: AgeProgress) => void;

export function stageStarts(stage: AgeStage, face: number | null): AgeProgress {
  return { stage, done: STAGE_ORDER[stage], total: AGE_STAGE_COUNT, face };
}

export function photoFinished(): AgeProgress {
  return { stage: 'encode', done: AGE_STAGE_COUNT, total: AGE_STAGE_COUNT, face: null };
}
