/** Why the training workflow refused a request; each front end turns the code into its own kind of error. */
import type { TrainRecipe } from './train-recipe.js';
import { WorkflowError } from './workflow-error.js';

export type TrainErrorCode = 'invalid-recipe' | 'unknown-run' | 'run-completed' | 'run-in-progress';

export class TrainWorkflowError extends WorkflowError<TrainErrorCode, keyof TrainRecipe> {
  override readonly name = 'TrainWorkflowError';
}
