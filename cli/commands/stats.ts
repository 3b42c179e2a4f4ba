import type { Command } from '../command.js';
import { numberOpt } from '../command.js';
import { openCatalogue } from '../../db/catalogue.js';
import { getDataset } from '../../db/datasets.js';
import { DECADE_BINS } from '../../domain/age-bins.js';
import { catalogueStats } from '../../db/stats.js';

export const statsCommand: Command = {
  name: 'stats',
  summary: 'count catalogued images by gender, age bin and split, and crops by review status',
  usage: 'chronoface stats [--dataset ID]',
  options: {
    dataset: { kind: 'number', value: 'ID', help: 'only this dataset (default: the whole catalogue)' },
  },
  async run(ctx) {
    const db = openCatalogue(ctx.dataDir);
    try {
      const datasetId = numberOpt(ctx, 'dataset');
      if (datasetId !== undefined && !getDataset(db, datasetId)) throw new Error(`no dataset with id ${datasetId}`);
      const s = catalogueStats(db, datasetId);
      const row = (o: Record<string, number>): string => Object.entries(o).map(([k, v]) => `${k} ${v}`).join(', ');
      const text = [
        `images: ${s.images}`,
        `gender: ${row(s.byGender)}`,
        `age:    ${DECADE_BINS.map((b) => `${b} ${s.byAgeBin[b]}`).join(', ')}${s.ageUnknown ? `, unknown ${s.ageUnknown}` : ''}`,
        `split:  ${row(s.bySplit)}`,
        `crops:  ${row(s.byStatus)}`,
      ].join('\n');
      ctx.out.result(s, text);
      return 0;
    } finally {
      db.close();
    }
  },
};
