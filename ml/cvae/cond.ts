import * as tf from '@tensorflow/tfjs';

/** cond[0] = age / AGE_SCALE. */
export const AGE_SCALE = 100;
/** cond[1]: UTKFace's coding (0 male, 1 female); unknown sits between. */
export const GENDER_CODE = { male: 0, female: 1, unknown: 0.5 } as const;

export function genderCode(g: string | null | undefined): number {
  if (g === 'male') return GENDER_CODE.male;
  if (g === 'female') return GENDER_CODE.female;
  return GENDER_CODE.unknown;
}

export function condRows(ages: readonly number[], genders: readonly number[]): Float32Array {
  if (ages.length !== genders.length) throw new Error(`makeCond: ${ages.length} ages but ${genders.length} genders`);
  const out = new Float32Array(ages.length * 2);
  ages.forEach((a, i) => {
    out[2 * i] = a / AGE_SCALE;
    out[2 * i + 1] = genders[i]!;
  });
  return out;
}

/** [[age/100, gender code], ...] as a [N,2] tensor. */
export function makeCond(ages: readonly number[], genders: readonly number[]): tf.Tensor2D {
  return tf.tensor2d(condRows(ages, genders), [ages.length, 2]);
}
