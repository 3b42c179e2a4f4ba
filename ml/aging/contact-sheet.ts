import sharp, { type OverlayOptions } from 'sharp';
import { writeFileAtomic } from '../io/write-file-atomic.js';

export interface ContactSheetRow {
  /** Shown at the left of the row, e.g. the photo's stem and face index. */
  readonly label: string;
  /** A PNG strip written by StripSpool. */
  readonly stripFile: string;
}

export interface ContactSheetOptions {
  /** Height of each row in pixels (default 128). */
  readonly rowHeight?: number;
  /** Width of the label column (default 180; 0 hides labels). */
  readonly labelWidth?: number;
  /** Ages written above the first row. */
  readonly ages?: readonly number[];
}

function escapeXml(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

function textSvg(width: number, height: number, text: string, size: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="6" y="${Math.round(height / 2 + size / 3)}" font-family="sans-serif" font-size="${size}" fill="#222">${escapeXml(text)}</text></svg>`,
  );
}

/** One row per aged face: its label, then its strip scaled to the row height. Returns the PNG. */
export async function renderContactSheet(rows: readonly ContactSheetRow[], options: ContactSheetOptions = {}): Promise<Buffer> {
  if (rows.length === 0) throw new Error('contact sheet: no rows');
  const rowHeight = options.rowHeight ?? 128;
  const labelWidth = options.labelWidth ?? 180;
  const header = options.ages && options.ages.length > 0 ? 24 : 0;
  const strips = await Promise.all(
    rows.map(async (r) => {
      const { data, info } = await sharp(r.stripFile).resize({ height: rowHeight }).removeAlpha().png().toBuffer({ resolveWithObject: true });
      return { data, width: info.width };
    }),
  );
  const width = labelWidth + Math.max(...strips.map((s) => s.width));
  const height = header + rows.length * rowHeight;
  const layers: OverlayOptions[] = [];
  strips.forEach((s, i) => {
    const top = header + i * rowHeight;
    layers.push({ input: s.data, left: labelWidth, top });
    if (labelWidth > 0) layers.push({ input: textSvg(labelWidth, rowHeight, rows[i]!.label, 14), left: 0, top });
  });
  if (header > 0) {
    const label = `ages: ${options.ages!.join(', ')}`;
    layers.push({ input: textSvg(width, header, label, 14), left: 0, top: 0 });
  }
  return sharp({ create: { width, height, channels: 3, background: '#ffffff' } }).composite(layers).png().toBuffer();
}

export async function writeContactSheet(file: string, rows: readonly ContactSheetRow[], options: ContactSheetOptions = {}): Promise<void> {
  await writeFileAtomic(file, await renderContactSheet(rows, options));
}
