import path from 'node:path';
import type { Command } from '../command.js';
import { boolOpt, listOpt, numberOpt, stringOpt } from '../command.js';
import type { CommandContext } from '../command.js';
import { UsageError } from '../args.js';
import { openCatalogue } from '../../db/catalogue.js';
import { getCrop, type CropRow } from '../../db/crops.js';
import { getDataset } from '../../db/datasets.js';
import { listNoFaceImages } from '../../db/faces.js';
import { fixCrop, parsePoints } from '../../ml/prep/pipeline.js';
import { createCropFromPoints, HandPlacedError, preflightHandPoints, shownSize } from '../../ml/prep/noface.js';
import { createChromiumVisionHost } from '../../ml/vision/chromium-host.js';

export const fixCommand: Command = {
  name: 'fix',
  summary: 'cut a crop again from corrected five points, or create one for a photo where no face was found',
  usage: [
    'chronoface fix CROP_ID --points x1,y1,x2,y2,x3,y3,x4,y4,x5,y5',
    '       chronoface fix --image IMAGE_ID --points x1,y1,...,x5,y5   (a photo without a crop)',
    '       chronoface fix --list [--dataset ID]                       (the photos where no face was found)',
  ].join('\n'),
  options: {
    points: {
      kind: 'list',
      value: 'X1,Y1,...,X5,Y5',
      help: 'left eye, right eye, nose tip, left and right mouth corner, in source pixels (left/right as seen on the upright face)',
    },
    image: { kind: 'number', value: 'IMAGE_ID', help: 'create the crop of this image (one where no face was found) from --points; marked edited' },
    list: { kind: 'boolean', help: 'list the photos where no face was found and that have no crop yet' },
    dataset: { kind: 'number', value: 'ID', help: 'with --list: only this dataset' },
    limit: { kind: 'number', value: 'N', help: 'with --list: at most N photos (default 200)' },
  },
  async run(ctx) {
    if (boolOpt(ctx, 'list')) return listNoFace(ctx);
    const imageId = numberOpt(ctx, 'image');
    const idText = ctx.positionals[0];
    if (imageId !== undefined && idText !== undefined) throw new UsageError('give either a crop id or --image IMAGE_ID, not both');
    if (imageId !== undefined && (!Number.isInteger(imageId) || imageId < 1)) throw new UsageError(`--image needs an image id (a positive integer), got ${imageId}`);
    const cropId = Number(idText);
    if (imageId === undefined && (idText === undefined || !Number.isInteger(cropId) || cropId < 1)) {
      throw new UsageError('give the crop id, e.g. chronoface fix 12 --points ..., or --image IMAGE_ID for a photo without a crop');
    }
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
      if (imageId === undefined && !getCrop(db, cropId)) throw new Error(`crop ${cropId} not found`);
      if (imageId !== undefined) {
        try {
          await preflightHandPoints(db, imageId, points);
        } catch (err) {
          if (err instanceof HandPlacedError && err.kind === 'invalid-points') throw new UsageError(err.message);
          throw err;
        }
      }
      const host = await createChromiumVisionHost({ pages: 1, dataDir: ctx.dataDir });
      try {
        let crop: CropRow;
        if (imageId === undefined) {
          crop = await fixCrop({ dataDir: ctx.dataDir, db, host, cropId, points });
        } else {
          try {
            crop = await createCropFromPoints({ dataDir: ctx.dataDir, db, host, imageId, points });
          } catch (err) {
            if (err instanceof HandPlacedError && err.kind === 'invalid-points') throw new UsageError(err.message);
            throw err;
          }
        }
        const what = imageId === undefined ? 're-cut to' : `created for image ${imageId} at`;
        ctx.out.result(
          {
            cropId: crop.id,
            imageId: crop.imageId,
            created: imageId !== undefined,
            file: crop.file,
            size: crop.size,
            edited: crop.edited,
            quality: crop.quality,
            flags: crop.flags,
            signals: crop.signals,
            transform: crop.transform,
          },
          `crop ${crop.id} ${what} ${crop.file} (quality ${crop.quality?.toFixed(3)}${crop.flags.length ? `, flags ${crop.flags.join(', ')}` : ''})`,
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

async function listNoFace(ctx: CommandContext): Promise<number> {
  if (ctx.positionals.length > 0 || numberOpt(ctx, 'image') !== undefined || listOpt(ctx, 'points') || stringOpt(ctx, 'points')) {
    throw new UsageError('--list takes no crop id, --image or --points');
  }
  const limit = numberOpt(ctx, 'limit') ?? 200;
  if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit needs a positive integer, got ${limit}`);
  const db = openCatalogue(ctx.dataDir);
  try {
    const datasetId = numberOpt(ctx, 'dataset');
    if (datasetId !== undefined && !getDataset(db, datasetId)) throw new Error(`no dataset with id ${datasetId}`);
    const page = listNoFaceImages(db, { ...(datasetId !== undefined ? { datasetId } : {}), limit });
    const sizes = await Promise.all(page.rows.map((r) => shownSize(path.join(r.root, ...r.relPath.split('/')), r.width, r.height)));
    const images = page.rows.map((r, i) => ({
      imageId: r.imageId,
      datasetId: r.datasetId,
      file: r.relPath,
      width: sizes[i]!.width,
      height: sizes[i]!.height,
      age: r.age,
      gender: r.gender,
      split: r.split,
    }));
    const lines = images.map((r) => `${String(r.imageId).padStart(6)}  ${r.file}  ${r.width}x${r.height}  age ${r.age ?? '?'}, ${r.gender}, ${r.split ?? 'no split'}`);
    const text =
      page.total === 0
        ? 'no photo is waiting for hand-placed points (prepare found a face in every prepared photo)'
        : [
            `${page.total} photo(s) where no face was found${page.total > images.length ? ` (first ${images.length} shown)` : ''}:`,
            ...lines,
            'place the five points by hand: chronoface fix --image IMAGE_ID --points x1,y1,...,x5,y5',
          ].join('\n');
    ctx.out.result({ total: page.total, images }, text);
    return 0;
  } finally {
    db.close();
  }
}
