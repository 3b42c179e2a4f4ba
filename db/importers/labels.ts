import { MAX_AGE, MIN_AGE } from '../../domain/age.js';
import type { Gender } from '../../domain/gender.js';
import type { Split } from '../../domain/split.js';

export class LabelError extends Error {}

/** A finite age within 0-120, or null for an empty value. Throws LabelError with the reason otherwise. */
export function parseAge(raw: string | undefined): number | null {
  const text = (raw ?? '').trim();
  if (text === '') return null;
  const age = Number(text);
  if (!Number.isFinite(age)) throw new LabelError(`unparseable age "${text}"`);
  if (age < MIN_AGE || age > MAX_AGE) throw new LabelError(`age ${age} is outside ${MIN_AGE}-${MAX_AGE}`);
  return age;
}

const MALE = new Set(['m', 'male', 'man', 'h', 'homme']);
const FEMALE = new Set(['f', 'female', 'woman', 'w', 'femme']);
const UNKNOWN = new Set(['', 'u', 'unknown', 'nan', 'na', 'n/a', 'none', 'null', '?', '-1']);

/** M/F, male/female (any case) or a 0/1 code where `maleValue` says which digit means male. */
export function normaliseGender(raw: string | undefined, maleValue = '1'): Gender {
  const text = (raw ?? '').trim().toLowerCase();
  if (MALE.has(text)) return 'male';
  if (FEMALE.has(text)) return 'female';
  if (UNKNOWN.has(text)) return 'unknown';
  if (text === '0' || text === '1' || text === '0.0' || text === '1.0') {
    return text.startsWith(maleValue) ? 'male' : 'female';
  }
  throw new LabelError(`unrecognised gender "${(raw ?? '').trim()}" (expected M/F, male/female or 0/1)`);
}

const SPLIT_NAMES: Record<string, Split> = {
  train: 'train',
  training: 'train',
  val: 'val',
  valid: 'val',
  validation: 'val',
  dev: 'val',
  test: 'test',
  testing: 'test',
};

export function normaliseSplit(raw: string | undefined): Split | null {
  const text = (raw ?? '').trim().toLowerCase();
  if (text === '') return null;
  const split = SPLIT_NAMES[text];
  if (!split) throw new LabelError(`unrecognised split "${(raw ?? '').trim()}" (expected train, val or test)`);
  return split;
}
