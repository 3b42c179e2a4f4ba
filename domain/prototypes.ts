/**
 * Where a trained model's age prototypes came from: 'catalogue', fitted to the training crops; 'default', the default
 * model's, lent because too few crops covered some gender × age ranges; 'none', neither (the model then ages without
 * prototypes). The warning says which ranges were short.
 */
export interface ModelPrototypes {
  readonly source: 'catalogue' | 'default' | 'none';
  readonly crops: number;
  readonly warning: string | null;
}

/** One line on a finished run's prototypes: the warning when they could not be fitted, else how many crops fitted them. */
export function describePrototypes(p: ModelPrototypes): string {
  return p.warning ?? `age prototypes fitted to ${p.crops} crops`;
}
