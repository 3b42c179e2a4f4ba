import { ApiError, type ApiErrorCode } from '../contract/api.js';
import { ExportError, type ExportErrorCode } from '../workflows/export.js';
import { TrainWorkflowError, type TrainErrorCode } from '../workflows/train-errors.js';

const TRAIN_CODES: Record<TrainErrorCode, ApiErrorCode> = {
  'invalid-recipe': 'invalid-argument',
  'unknown-run': 'not-found',
  'run-completed': 'invalid-argument',
  'run-in-progress': 'run-in-progress',
};

const EXPORT_CODES: Record<ExportErrorCode, ApiErrorCode> = {
  'invalid-choice': 'invalid-argument',
  'not-empty': 'invalid-argument',
  'nothing-to-export': 'not-found',
  'write-failed': 'failed',
};

/** Any thrown value as an ApiError: keeps ApiErrors, maps well-known error kinds, else 'failed' with the message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
  if (err instanceof TrainWorkflowError) return new ApiError(TRAIN_CODES[err.code], err.setting ? `${err.setting}: ${err.message}` : err.message);
  if (err instanceof ExportError) return new ApiError(EXPORT_CODES[err.code], err.message);
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    let mapped: ApiErrorCode = 'failed';
    if (err instanceof RangeError || err.name === 'TrainConfigError' || err.name === 'CvaeConfigError') mapped = 'invalid-argument';
    else if (err.name === 'AbortError') mapped = 'cancelled';
    else if (code === 'ENOENT') mapped = 'not-found';
    return new ApiError(mapped, err.message.split('\n')[0] ?? err.message);
  }
  return new ApiError('failed', String(err));
}

export function notFound(what: string): ApiError {
  return new ApiError('not-found', what);
}
