import type { Command, CommandContext } from '../command.js';
import { boolOpt, listOpt, numberOpt, stringOpt } from '../command.js';
import { UsageError } from '../args.js';
import { openCatalogue } from '../../db/catalogue.js';
import type { CropStatus } from '../../domain/crop-status.js';
import type { ExportBackground, ExportChoices, ExportFormat, ExportImageFormat } from '../../domain/export.js';
import type { Split } from '../../domain/split.js';
import { exportCrops, ExportError } from '../../workflows/export.js';

/** Each choice and the flag that spells it, so that a refused choice names its flag. */
const FLAG_OF: Partial<Record<keyof ExportChoices, string>> = {
  format: 'format',
  statuses: 'status',
  splits: 'split',
  size: 'size',
  background: 'background',
  imageFormat: 'image-format',
  shardBytes: 'shard-size',
};

/** 1000000000, 1GB, 500MB, 64KiB ... as bytes. */
export function parseByteSize(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(b|kb|kib|mb|mib|gb|gib|tb)?\s*$/i.exec(text);
  if (!m) throw new UsageError(`--shard-size must be a size such as 1GB, 500MB or 1000000, got "${text}"`);
  const unit = (m[2] ?? 'b').toLowerCase();
  const k: Record<string, number> = { b: 1, kb: 1e3, kib: 1024, mb: 1e6, mib: 1024 ** 2, gb: 1e9, gib: 1024 ** 3, tb: 1e12 };
  return Math.floor(Number(m[1]) * k[unit]!);
}

function choicesOf(ctx: CommandContext): ExportChoices {
  const format = stringOpt(ctx, 'format');
  if (format === undefined) throw new UsageError('--format is required: imagefolder, csv or webdataset');
  const shard = stringOpt(ctx, 'shard-size');
  const size = numberOpt(ctx, 'size');
  const dataset = numberOpt(ctx, 'dataset');
  return {
    format: format as ExportFormat,
    ...(listOpt(ctx, 'status') ? { statuses: listOpt(ctx, 'status') as CropStatus[] } : {}),
    includePending: boolOpt(ctx, 'include-pending'),
    ...(dataset !== undefined ? { datasetId: dataset } : {}),
    ...(listOpt(ctx, 'split') ? { splits: listOpt(ctx, 'split') as Split[] } : {}),
    ...(size !== undefined ? { size } : {}),
    ...(stringOpt(ctx, 'background') ? { background: stringOpt(ctx, 'background') as ExportBackground } : {}),
    ...(stringOpt(ctx, 'image-format') ? { imageFormat: stringOpt(ctx, 'image-format') as ExportImageFormat } : {}),
    landmarks: boolOpt(ctx, 'landmarks'),
    ...(shard !== undefined ? { shardBytes: parseByteSize(shard) } : {}),
  };
}

export const exportCommand: Command = {
  name: 'export',
  summary: 'export the curated crops (imagefolder, csv or webdataset) with a dataset card (resumable)',
  usage: 'chronoface export OUT_DIR --format imagefolder|csv|webdataset [--status accepted] [--include-pending] [--dataset ID] [--split train,val,test] [--size N] [--background keep|removed|grey] [--image-format png|jpg|webp] [--landmarks] [--shard-size 1GB] [--force] [--json]',
  options: {
    format: { kind: 'string', value: 'F', help: 'imagefolder (Hugging Face), csv (chronoface import reads it back) or webdataset (.tar shards)' },
    status: { kind: 'list', value: 'S,...', help: 'crop statuses to export: accepted, pending, rejected, needs-fix (default accepted)' },
    'include-pending': { kind: 'boolean', help: 'also export crops still pending review, as train does' },
    dataset: { kind: 'number', value: 'ID', help: 'only this dataset' },
    split: { kind: 'list', value: 'S,...', help: 'only these splits: train, val, test (default all)' },
    size: { kind: 'number', value: 'PX', help: "image side in pixels (default: the crops' own; other sizes re-encode)" },
    background: { kind: 'string', value: 'B', help: "keep (the photo's own, cut again from it), grey, or removed (transparent); default: as prepared" },
    'image-format': { kind: 'string', value: 'F', help: 'png (default: copies the crops as they are), jpg or webp' },
    landmarks: { kind: 'boolean', help: "add each face's 478 landmarks (source-photo pixels) to its row" },
    'shard-size': { kind: 'string', value: 'BYTES', help: 'webdataset: largest shard, e.g. 500MB (default 1GB)' },
    force: { kind: 'boolean', help: "write into a non-empty OUT_DIR: a previous export's files there are replaced, other files are left" },
  },
  async run(ctx) {
    const [outDir, extra] = ctx.positionals;
    if (outDir === undefined) throw new UsageError('OUT_DIR is required');
    if (extra !== undefined) throw new UsageError(`unexpected argument "${extra}"`);
    const choices = choicesOf(ctx);
    const db = openCatalogue(ctx.dataDir);
    try {
      let lastShown = 0;
      const summary = await exportCrops({
        dataDir: ctx.dataDir,
        db,
        outDir,
        choices,
        force: boolOpt(ctx, 'force'),
        signal: ctx.signal,
        onProgress: (p) => {
          const now = Date.now();
          if (p.done < p.total && now - lastShown < 250) return;
          lastShown = now;
          ctx.out.progress(p.done, p.total, `crops (${Math.round(p.cropsPerSecond)}/s${p.skipped ? `, ${p.skipped} skipped` : ''})`);
        },
      }).catch((err: unknown) => {
        if (err instanceof ExportError && err.code === 'invalid-choice') {
          const flag = err.setting ? FLAG_OF[err.setting] : undefined;
          throw new UsageError(flag ? `--${flag}: ${err.message}` : err.message);
        }
        throw err;
      });
      for (const s of summary.skips) {
        if (ctx.out.json) ctx.out.event({ type: 'skipped', cropId: s.cropId, file: s.file, reason: s.reason });
        else ctx.out.warn(`crop ${s.cropId} (${s.file}) skipped: ${s.reason}`);
      }
      if (summary.skipped > summary.skips.length) ctx.out.warn(`${summary.skipped - summary.skips.length} more crops skipped: the card lists the first ones`);
      const splits = Object.entries(summary.bySplit).map(([s, n]) => `${s} ${n}`).join(', ');
      const text = summary.cancelled
        ? `export cancelled after ${summary.exported} of ${summary.total} crops; run the same command again to resume`
        : `exported ${summary.exported} of ${summary.total} crops to ${summary.outDir} as ${summary.format} (${splits || 'none'})${summary.skipped ? `, ${summary.skipped} skipped` : ''}${summary.resumed ? ', resumed' : ''} in ${summary.seconds.toFixed(1)} s; card: ${summary.card}`;
      ctx.out.result({ ...summary, skips: summary.skips.length }, text);
      return summary.cancelled ? 130 : 0;
    } finally {
      db.close();
    }
  },
};
