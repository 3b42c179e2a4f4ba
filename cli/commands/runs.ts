import type { Command } from '../command.js';
import { listModels } from '../../db/models.js';
import { listRuns } from '../../db/runs.js';
import { openTrainingCatalogue } from '../../workflows/train.js';

export const runsCommand: Command = {
  name: 'runs',
  summary: 'list training runs with their per-epoch metrics and models',
  usage: 'chronoface runs [--json]',
  options: {},
  async run(ctx) {
    // Runs whose trainer is gone are listed as interrupted, not running.
    const db = openTrainingCatalogue(ctx.dataDir);
    try {
      const models = listModels(db);
      const runs = listRuns(db).map((r) => ({ ...r, models: models.filter((m) => m.runId === r.id) }));
      const text =
        runs.length === 0
          ? 'no training runs yet'
          : runs
              .map((r) => {
                const last = r.epochs[r.epochs.length - 1];
                const cfg = r.config as { imageSize?: number; epochs?: number };
                const fig = last ? ` val ${Number(last.metrics.valLoss).toFixed(1)} PSNR ${Number(last.metrics.valPsnr).toFixed(2)} dB` : '';
                const model = r.models[0] ? ` model ${r.models[0].id} (${r.models[0].dir})` : '';
                const why = r.error ? `\n        ${r.error}` : '';
                const shapes = r.prototypes?.warning ? `\n        warning: ${r.prototypes.warning}` : '';
                return `run ${r.id}  ${r.status.padEnd(11)} ${cfg.imageSize ?? '?'}px  epoch ${r.epochsDone}/${cfg.epochs ?? '?'}  ${r.backend ?? ''}${fig}${model}${why}${shapes}`;
              })
              .join('\n');
      ctx.out.result({ runs }, text);
      return 0;
    } finally {
      db.close();
    }
  },
};
