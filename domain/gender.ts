/** A label's gender; 'unknown' when the dataset does not say. */
export const GENDERS = ['male', 'female', 'unknown'] as const;
export type Gender = (typeof GENDERS)[number];
/** A gender the model is conditioned on or an estimator says. */
export type KnownGender = Exclude<Gender, 'unknown'>;
