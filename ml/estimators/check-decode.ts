/**
 * Output decoding of the check estimators. GEAR is decoded as @vladmandic/human decodes it (src/gear/gear.ts). FaceRes
 * is read as the expectation of its age softmax: Human's arg-max-plus-neighbour reading measured 2.2 y worse on 50
 * UTKFace chips aged 20-70 (8.6 against 6.7 y). SSR-Net outputs the age itself.
 */

/** Expected age of a softmax over ages 0..n-1 (sum of i * p_i). */
export function expectedAge(probs: ArrayLike<number>): number {
  let sum = 0;
  let mass = 0;
  for (let i = 0; i < probs.length; i++) {
    sum += i * probs[i]!;
    mass += probs[i]!;
  }
  return mass > 0 ? sum / mass : 0;
}

/** GEAR's seven age classes (<20, 21-25, 26-30, 31-40, 41-50, 51-60, >60), as Human weights them. */
export const GEAR_AGE_CENTRES: readonly number[] = Object.freeze([15, 23, 28, 35.5, 45.5, 55.5, 65]);

/** GEAR: start at the likeliest class's centre, then move toward each other class, in falling probability, by its share. */
export function decodeGearAge(probs: ArrayLike<number>): number {
  if (probs.length !== GEAR_AGE_CENTRES.length) throw new Error(`gear: expected ${GEAR_AGE_CENTRES.length} age classes, got ${probs.length}`);
  const ranked = GEAR_AGE_CENTRES.map((centre, i) => ({ centre, p: probs[i]! })).sort((a, b) => b.p - a.p);
  let age = ranked[0]!.centre;
  for (const { centre, p } of ranked.slice(1)) age += p * (centre - age);
  return age;
}
