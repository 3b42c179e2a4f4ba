import { ApiError, type ApiErrorCode } from '../contract/api.js';

/** Any thrown value as an ApiError: keeps ApiErrors, maps well-known error kinds, else 'failed' with the message. */
export function toApiError(err: unknown): ApiError {
  if (err instanceof ApiError) return err;
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
