import { exportCrops } from '../../workflows/export.js';
import type { ServiceContext } from '../context.js';
import { throttle } from '../events.js';
import { exclusiveJob } from '../jobs.js';
import type { HandlerGroup } from './types.js';

export function exportHandlers(ctx: ServiceContext): HandlerGroup<'datasetsExport'> {
  return {
    async datasetsExport({ outDir, force, ...choices }) {
      return exclusiveJob(ctx, 'export', async (signal) => {
        let last = { done: 0, total: 0, skipped: 0, cropsPerSecond: 0 };
        const progress = throttle(() => ctx.bus.emit({ type: 'export.progress', outDir, ...last }), 100);
        const summary = await exportCrops({
          dataDir: ctx.dataDir,
          db: ctx.db,
          outDir,
          choices,
          force: force ?? false,
          signal,
          onProgress: (p) => {
            last = { ...p };
            progress();
          },
        });
        ctx.bus.emit({ type: 'export.progress', outDir: summary.outDir, done: summary.exported + summary.skipped, total: summary.total, skipped: summary.skipped, cropsPerSecond: last.cropsPerSecond });
        return summary;
      });
    },
  };
}
