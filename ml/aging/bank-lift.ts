import type { Point } from '../prep/geometry.js';
import type { PrototypeGender } from '../shape/prototypes.js';
import type { AgingModel } from './model.js';
import { bankDetail, DETAIL_BANK_FILE, loadDetailBank, skinOffFeatures, type DetailBank } from './detail-bank.js';
import { softened } from './photo-grain.js';
import { modelPart } from './model-part.js';

/** Levels past which the bank's lines are held softly (limit x tanh(v / limit)). */
const BANK_LIMIT = 25;
/**
 * Share of the bank's lightening kept: a line is a dark valley, and its light flanks, borrowed from another face, show
 * as pale streaks beside the face's own folds.
 */
const BANK_LIGHTEN = 0.4;
/** Spread round the eyes', brows', nose's and lips' points kept free of borrowed lines, as a share of the face's width. */
const FEATURE_SPREAD = 0.06;
/** Candidates per region when the sidecar names none. */
export const DEFAULT_BANK_MATCH = 5;

const loaded = new WeakMap<AgingModel, DetailBank | null>();

/** The model's detail bank, loaded once: a bad file is an error naming it; a model without one ages as before and says so once. */
export function modelDetailBank(model: AgingModel): DetailBank | null {
  return modelPart(loaded, model, DETAIL_BANK_FILE, loadDetailBank, "aging older without real faces' lines (bankOlder does nothing)");
}

/** Per crop pixel, 0..1, where borrowed lines may go: the face mask squared, off the eyes, brows, nose and lips. */
export function bankSkin(faceMask: Uint8Array, landmarks: readonly Point[], size: number, faceWidth: number): Float32Array {
  const skin = skinOffFeatures(landmarks, size, FEATURE_SPREAD * faceWidth);
  for (let i = 0; i < skin.length; i++) skin[i] = skin[i]! * (faceMask[i]! / 255) ** 2;
  return skin;
}

export interface BankLiftInput {
  readonly crop: ArrayLike<number>;
  readonly size: number;
  readonly landmarks: readonly Point[];
  /** Where the lines may go (bankSkin): the same for every target age, so made once per face. */
  readonly skin: Float32Array;
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
 * Going older, the lightness (levels per crop pixel) the bank's lines add: bankDetail (the lines real faces gain
 * between the two ages, region by region) times `weight`, softened to the face's own softness, on `skin`, its
 * lightening damped (BANK_LIGHTEN) and softly limited. Null when there is nothing to add.
 */
export function bankLift(bank: DetailBank, input: BankLiftInput): Float32Array | null {
  const { size, weight } = input;
  if (!(weight > 0) || input.targetAge <= input.sourceAge) return null;
  if (bank.size !== size) throw new Error(`the detail bank was built at ${bank.size} px but the model's crops are ${size} px`);
  const raw = bankDetail(bank, input.crop, input.landmarks, input.gender, input.sourceAge, input.targetAge, input.candidates);
  const detail = input.soften > 0 ? softened(raw, size, input.soften) : raw;
  const skin = input.skin;
  const out = new Float32Array(size * size);
  let any = false;
  for (let i = 0; i < out.length; i++) {
    const d = detail[i]! > 0 ? BANK_LIGHTEN * detail[i]! : detail[i]!;
    const v = weight * d * skin[i]!;
    if (v !== 0) any = true;
    out[i] = BANK_LIMIT * Math.tanh(v / BANK_LIMIT);
  }
  return any ? out : null;
}
