import { ApiError } from '../contract/api.js';
import type { ServiceContext } from './context.js';

/** Runs a long job (import, prepare, eval) exclusively: a second one while any runs is 'busy'. */
export async function exclusiveJob<T>(ctx: ServiceContext, name: string, run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const running = [...ctx.jobs.keys()];
  if (running.length > 0) throw new ApiError('busy', `a ${running[0]} is already running; wait for it or cancel it`);
  const controller = new AbortController();
  const done = run(controller.signal);
  ctx.jobs.set(name, { controller, done });
  try {
    return await done;
  } finally {
    ctx.jobs.delete(name);
  }
}

export function cancelJob(ctx: ServiceContext, name: string): boolean {
  const c = ctx.jobs.get(name);
  if (!c) return false;
  c.controller.abort();
  return true;
}
