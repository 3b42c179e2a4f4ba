import type { Command } from '../command.js';
import { listOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { openCatalogue } from '../../db/catalogue.js';
import { getCrop } from '../../db/crops.js';
import { fixCrop, parsePoints } from '../../ml/prep/pipeline.js';
import { createPlaywrightVisionHost } from '../../ml/vision/playwright-host.js';

export const fixCommand: Command = {
  name: 'fix',
  summary: 'cut a crop again from corrected five points (source pixels); marks it edited',
  usage: 'chronoface fix CROP_ID --points x1,y1,x2,y2,x3,y3,x4,y4,x5,y5',
  options: {
    points: {
      kind: 'list',
      value: 'X1,Y1,...,X5,Y5',
      help: 'left eye, right eye, nose tip, left and right mouth corner, in source pixels (left/right = the image\'s)',
    },
  },
  async run(ctx) {
    const idText = ctx.positionals[0];
    const cropId = Number(idText);
    if (idText === undefined || !Number.isInteger(cropId) || cropId < 1) throw new UsageError('give the crop id, e.g. chronoface fix 12 --points ...');
    const list = listOpt(ctx, 'points') ?? (stringOpt(ctx, 'points') ? [stringOpt(ctx, 'points')!] : undefined);
    if (!list) throw new UsageError('--points x1,y1,...,x5,y5 is required');
    let points;
    try {
      points = parsePoints(list);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
    const db = openCatalogue(ctx.dataDir);
    try {
      if (!getCrop(db, cropId)) throw new Error(`crop ${cropId} not found`);
      const host = await createPlaywrightVisionHost({ pages: 1, dataDir: ctx.dataDir });
      try {
        const crop = await fixCrop({ dataDir: ctx.dataDir, db, host, cropId, points });
        ctx.out.result(
          { cropId: crop.id, file: crop.file, edited: crop.edited, quality: crop.quality, flags: crop.flags, signals: crop.signals, transform: crop.transform },
          `crop ${crop.id} re-cut to ${crop.file} (quality ${crop.quality?.toFixed(3)}${crop.flags.length ? `, flags ${crop.flags.join(', ')}` : ''})`,
        );
        return 0;
      } finally {
        await host.close();
      }
    } finally {
      db.close();
    }
  },
};
