/** Why the training workflow refused a request; each front end turns the code into its own kind of error. */
import type { TrainRecipe } from './train-recipe.js';

export type TrainErrorCode = 'invalid-recipe' | 'unknown-run' | 'run-completed' | 'run-in-progress';

export class TrainWorkflowError extends Error {
  override readonly name = 'TrainWorkflowError';
  constructor(
    readonly code: TrainErrorCode,
    message: string,
    /** The recipe setting at fault (for 'invalid-recipe'), which each front end names in its own spelling. */
    readonly setting: keyof TrainRecipe | null = null,
  ) {
    super(message);
  }
}
