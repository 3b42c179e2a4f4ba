import fs from 'node:fs/promises';
import path from 'node:path';
import type { Point } from '../../domain/keypoints.js';
import { LabelError, parseAge } from './labels.js';
import type { ImportItem, Scanner } from './types.js';
import { isDir, listImageFiles } from './walk.js';

/** SSSAaa[x].JPG: subject, age, and an optional letter for a second photo at the same age. */
const NAME = /^(\d{3})[Aa](\d{2,3})([a-z])?\.[A-Za-z]+$/;
export const FGNET_POINTS = 68;

export function looksLikeFgnetName(base: string): boolean {
  return NAME.test(base);
}

export function parseFgnetName(base: string): { subject: string; age: number } {
  const m = NAME.exec(base);
  if (!m) throw new LabelError(`unparseable name "${base}": expected SSSAaa.JPG (subject, A, age)`);
  const age = parseAge(m[2]);
  if (age === null) throw new LabelError(`unparseable name "${base}": no age`);
  return { subject: m[1]!, age };
}

/** Parses an FG-NET .pts file: "version", "n_points: N", then N "x y" lines between braces. */
export function parsePts(text: string, expected = FGNET_POINTS): Point[] {
  const open = text.indexOf('{');
  const close = text.lastIndexOf('}');
  if (open < 0 || close < open) throw new Error('no { ... } block');
  const declared = /n_points:\s*(\d+)/.exec(text);
  const points: Point[] = [];
  for (const line of text.slice(open + 1, close).split(/\r?\n/)) {
    const t = line.trim();
    if (t === '') continue;
    const [xs, ys, extra] = t.split(/\s+/);
    const x = Number(xs);
    const y = Number(ys);
    if (extra !== undefined || !Number.isFinite(x) || !Number.isFinite(y)) throw new Error(`bad point line "${t}"`);
    points.push([x, y]);
  }
  if (declared && Number(declared[1]) !== points.length) throw new Error(`n_points says ${declared[1]} but ${points.length} are listed`);
  if (points.length !== expected) throw new Error(`${points.length} points, expected ${expected}`);
  return points;
}

/** The images folder (root/images if present, else root) and the points folder (root/points, or ../points) if any. */
export async function fgnetFolders(root: string): Promise<{ images: string; points: string | undefined }> {
  const images = (await isDir(path.join(root, 'images'))) ? path.join(root, 'images') : root;
  // Pointed at images/ itself: the points are its sibling.
  const candidates = [path.join(root, 'points'), ...(path.basename(root).toLowerCase() === 'images' ? [path.join(root, '..', 'points')] : [])];
  for (const c of candidates) if (await isDir(c)) return { images, points: c };
  return { images, points: undefined };
}

export const fgnetScanner: Scanner = {
  format: 'fgnet',
  async scan(root) {
    const folders = await fgnetFolders(root);
    const files = await listImageFiles(root, folders.images, false);
    const warnings: string[] = [];
    if (!folders.points) warnings.push(`no points/ folder in ${root}: images are imported without ground-truth landmarks`);
    const items = await Promise.all(
      files.map(async (relPath): Promise<ImportItem> => {
        const base = relPath.slice(relPath.lastIndexOf('/') + 1);
        let labels;
        try {
          labels = parseFgnetName(base);
        } catch (err) {
          if (err instanceof LabelError) return { relPath, labelError: err.message };
          throw err;
        }
        const item: ImportItem = {
          relPath,
          labels: { age: labels.age, gender: 'unknown', subject: labels.subject, split: null, originFile: relPath },
        };
        if (folders.points) {
          const ptsName = `${base.slice(0, base.lastIndexOf('.')).toLowerCase()}.pts`;
          try {
            item.landmarks = parsePts(await fs.readFile(path.join(folders.points, ptsName), 'utf8'));
          } catch (err) {
            const why = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing' : (err as Error).message;
            item.warnings = [`${base}: ground-truth points/${ptsName} ${why === 'missing' ? 'is missing' : `is unusable: ${why}`}`];
          }
        }
        return item;
      }),
    );
    return { items, warnings };
  },
};
