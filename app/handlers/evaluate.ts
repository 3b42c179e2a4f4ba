import { ApiError } from '../../contract/api.js';
import type { ServiceContext } from '../context.js';
import type { HandlerGroup } from './types.js';

export function evalHandlers(_ctx: ServiceContext): HandlerGroup<'evalRun' | 'evalList'> {
  return {
    async evalRun() {
      throw new ApiError('not-implemented', 'evaluation from the studio is not wired yet; run `chronoface eval --html FILE`');
    },
    async evalList() {
      return { reports: [] };
    },
  };
}
