import { datasetCount } from '../../db/datasets.js';
import { latestRunBackend } from '../../db/runs.js';
import type { ServiceContext } from '../context.js';
import type { HandlerGroup } from './types.js';

export function infoHandlers(ctx: ServiceContext, canUseDialogs: boolean): HandlerGroup<'appInfo'> {
  return {
    async appInfo() {
      return {
        version: ctx.version,
        dataDir: ctx.dataDir,
        transport: ctx.transport,
        backend: latestRunBackend(ctx.db),
        canUseDialogs,
        platform: process.platform,
        firstRun: datasetCount(ctx.db) === 0,
      };
    },
  };
}
