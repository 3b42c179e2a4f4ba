import os from 'node:os';
import type { Command } from '../command.js';
import { boolOpt, numberOpt } from '../command.js';
import { UsageError } from '../args.js';
import { openCatalogue } from '../../db/catalogue.js';
import { prepareImages, prepSettingsOf } from '../../workflows/prepare.js';

export const prepareCommand: Command = {
  name: 'prepare',
  summary: 'detect, align, clean and score the faces of every pending image (resumable)',
  usage: 'chronoface prepare [--size 128] [--no-background] [--no-lighting] [--workers N] [--dataset ID] [--redo] [--json]',
  options: {
    size: { kind: 'number', value: 'PX', help: 'crop size: 64, 128 or 256', default: 128 },
    background: { kind: 'boolean', help: 'replace the background with neutral grey (--no-background to keep it)', default: true },
    lighting: { kind: 'boolean', help: 'normalise lighting with CLAHE on luminance (--no-lighting to skip)', default: true },
    workers: { kind: 'number', value: 'N', help: 'vision pages working in parallel (default: the number of cores)' },
    dataset: { kind: 'number', value: 'ID', help: 'only this dataset' },
    redo: { kind: 'boolean', help: 'prepare again images already done or failed' },
  },
  async run(ctx) {
    const size = numberOpt(ctx, 'size') ?? 128;
    if (![64, 128, 256].includes(size)) throw new UsageError(`--size must be 64, 128 or 256, got ${size}`);
    const workers = numberOpt(ctx, 'workers') ?? Math.max(1, os.cpus().length);
    if (!Number.isInteger(workers) || workers < 1 || workers > 32) throw new UsageError(`--workers must be an integer from 1 to 32, got ${workers}`);
    const settings = prepSettingsOf({ size, background: ctx.options.background !== false, lighting: ctx.options.lighting !== false });
    const db = openCatalogue(ctx.dataDir);
    try {
      const summary = await prepareImages({
        dataDir: ctx.dataDir,
        db,
        host: { pages: workers, onModelProgress: (p) => ctx.out.progress(p.received, p.total, `downloading ${p.file}`) },
        settings,
        workers: workers * 2,
        datasetId: numberOpt(ctx, 'dataset'),
        redo: boolOpt(ctx, 'redo'),
        signal: ctx.signal,
        onProgress: (done, total, e) => {
          if (e.status === 'failed') {
            if (ctx.out.json) ctx.out.event({ type: 'failed', imageId: e.imageId, error: e.error });
            else ctx.out.warn(`image ${e.imageId}: ${e.error}`);
          }
          if (done === total || done % 10 === 0) ctx.out.progress(done, total, 'images');
        },
      });
      const text =
        `prepared ${summary.done} of ${summary.total} pending images in ${summary.seconds.toFixed(1)} s` +
        ` (${summary.failed} failed, ${summary.duplicates} duplicates flagged, ${summary.skipped} already done)` +
        (summary.cancelled ? '; cancelled, run again to continue' : '');
      ctx.out.result({ ...summary, settings }, text);
      return summary.cancelled ? 130 : 0;
    } finally {
      db.close();
    }
  },
};
