import path from 'node:path';
import type { Point } from '../prep/geometry.js';
import type { PrototypeGender } from '../shape/prototypes.js';
import type { AgingModel } from './model.js';
import { bankDetail, DETAIL_BANK_FILE, loadDetailBank, skinOffFeatures, type DetailBank } from './detail-bank.js';
import { detailGainedMap, type DetailEnergy } from './detail-energy.js';
import { softened } from './photo-grain.js';

/** Levels past which the bank's lines are held softly (limit x tanh(v / limit)). */
const BANK_LIMIT = 25;
/** Spread round the eyes', brows', nose's and lips' points kept free of borrowed lines, as a share of the face's width. */
const FEATURE_SPREAD = 0.04;
/** Candidates per region when the sidecar names none. */
export const DEFAULT_BANK_MATCH = 5;

const loaded = new WeakMap<AgingModel, DetailBank | null>();
const told = new Set<string>();

/** The model's detail bank, loaded once: a bad file is an error naming it; a model without one ages as before and says so once. */
export function modelDetailBank(model: AgingModel): DetailBank | null {
  if (loaded.has(model)) return loaded.get(model)!;
  const bank = model.choice.dir ? loadDetailBank(model.choice.dir) : null;
  loaded.set(model, bank);
  const file = path.join(model.choice.dir, DETAIL_BANK_FILE);
  if (!bank && !told.has(file)) {
    told.add(file);
    console.warn(`note: the model has no ${file}; aging older without real faces' lines (bankOlder does nothing)`);
  }
  return bank;
}

export interface BankLiftInput {
  readonly crop: ArrayLike<number>;
  readonly size: number;
  readonly landmarks: readonly Point[];
  readonly faceMask: Uint8Array;
  readonly faceWidth: number;
  readonly gender: PrototypeGender;
  readonly sourceAge: number;
  readonly targetAge: number;
  /** `bankOlder`, and the candidates per region. */
  readonly weight: number;
  readonly candidates: number;
  /** The blur (crop px) the lines are softened by to match a soft face (0: none). */
  readonly soften: number;
}

/**
 * Going older, the lightness (levels per crop pixel) the bank's lines add: its detail (bankDetail, unit RMS per
 * region) times the RMS of the fine detail the target age has over the source age (detailGainedMap) times `weight`,
 * on the skin (the face mask squared) off the eyes, brows, nose and lips, softly limited. Null when there is nothing to add.
 */
export function bankLift(bank: DetailBank, energy: DetailEnergy, input: BankLiftInput): Float32Array | null {
  const { size, weight } = input;
  if (!(weight > 0) || input.targetAge <= input.sourceAge) return null;
  if (bank.size !== size) throw new Error(`the detail bank was built at ${bank.size} px but the model's crops are ${size} px`);
  const gained = detailGainedMap(energy, input.gender, input.sourceAge, input.targetAge, size);
  const raw = bankDetail(bank, input.crop, input.landmarks, input.gender, input.targetAge, input.candidates);
  const detail = input.soften > 0 ? softened(raw, size, input.soften) : raw;
  const skin = skinOffFeatures(input.landmarks, size, FEATURE_SPREAD * input.faceWidth);
  const out = new Float32Array(size * size);
  let any = false;
  for (let i = 0; i < out.length; i++) {
    const m = input.faceMask[i]! / 255;
    const v = weight * gained[i]! * detail[i]! * skin[i]! * m * m;
    if (v !== 0) any = true;
    out[i] = BANK_LIMIT * Math.tanh(v / BANK_LIMIT);
  }
  return any ? out : null;
}
