/** The choices of an export checked and given their defaults, the command line that spells them, and its errors. */
import { CROP_STATUSES } from '../domain/crop-status.js';
import { DEFAULT_SHARD_BYTES, EXPORT_BACKGROUNDS, EXPORT_FORMATS, EXPORT_IMAGE_FORMATS, type ExportChoices } from '../domain/export.js';
import { SPLITS } from '../domain/split.js';
import { WorkflowError } from './workflow-error.js';

const MIN_SHARD_BYTES = 64 * 1024;

export type ExportErrorCode = 'invalid-choice' | 'not-empty' | 'nothing-to-export' | 'write-failed';

/** An export refused or failed; `setting` is the choice at fault (invalid-choice). */
export class ExportError extends WorkflowError<ExportErrorCode, keyof ExportChoices> {
  override readonly name = 'ExportError';
}

export type SettledChoices = Required<Omit<ExportChoices, 'datasetId' | 'splits' | 'size' | 'background'>> & ExportChoices;

/** The export's command line, the same whichever front end started it (the card shows it). */
export function exportCommandLine(outDir: string, c: ExportChoices): string {
  const quote = (s: string): string => (/^[\w./:=,-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);
  const parts = ['chronoface', 'export', quote(outDir), '--format', c.format];
  if (c.statuses) parts.push('--status', c.statuses.join(','));
  if (c.includePending) parts.push('--include-pending');
  if (c.datasetId !== undefined) parts.push('--dataset', String(c.datasetId));
  if (c.splits) parts.push('--split', c.splits.join(','));
  if (c.size !== undefined) parts.push('--size', String(c.size));
  if (c.background) parts.push('--background', c.background);
  if (c.imageFormat) parts.push('--image-format', c.imageFormat);
  if (c.landmarks) parts.push('--landmarks');
  if (c.shardBytes !== undefined) parts.push('--shard-size', String(c.shardBytes));
  return parts.join(' ');
}

export function invalid(choice: keyof ExportChoices, message: string): never {
  throw new ExportError('invalid-choice', message, choice);
}

/** The choices checked, with their defaults. */
export function settle(c: ExportChoices): SettledChoices {
  if (!EXPORT_FORMATS.includes(c.format)) invalid('format', `format must be ${EXPORT_FORMATS.join(', ')}, got "${c.format}"`);
  const statuses = [...new Set([...(c.statuses ?? ['accepted']), ...(c.includePending ? (['pending'] as const) : [])])];
  for (const s of statuses) if (!CROP_STATUSES.includes(s)) invalid('statuses', `status must be among ${CROP_STATUSES.join(', ')}, got "${s}"`);
  for (const s of c.splits ?? []) if (!SPLITS.includes(s)) invalid('splits', `split must be among ${SPLITS.join(', ')}, got "${s}"`);
  if (c.splits && c.splits.length === 0) invalid('splits', 'no split given');
  if (c.size !== undefined && (!Number.isInteger(c.size) || c.size < 16 || c.size > 1024)) invalid('size', `size must be a whole number of pixels from 16 to 1024, got ${c.size}`);
  if (c.background !== undefined && !EXPORT_BACKGROUNDS.includes(c.background)) invalid('background', `background must be ${EXPORT_BACKGROUNDS.join(', ')}, got "${c.background}"`);
  const imageFormat = c.imageFormat ?? 'png';
  if (!EXPORT_IMAGE_FORMATS.includes(imageFormat)) invalid('imageFormat', `image format must be ${EXPORT_IMAGE_FORMATS.join(', ')}, got "${imageFormat}"`);
  if (c.background === 'removed' && imageFormat === 'jpg') invalid('background', 'a transparent background needs png or webp images (jpg has no transparency)');
  const shardBytes = c.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!Number.isInteger(shardBytes) || shardBytes < MIN_SHARD_BYTES) invalid('shardBytes', `shard size must be at least ${MIN_SHARD_BYTES} bytes, got ${shardBytes}`);
  return { ...c, statuses, includePending: c.includePending ?? false, imageFormat, landmarks: c.landmarks ?? false, shardBytes };
}
