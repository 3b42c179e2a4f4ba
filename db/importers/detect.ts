import fs from 'node:fs/promises';
import path from 'node:path';
import { cacdScanner, looksLikeCacdName } from './cacd.js';
import { csvScanner } from './csv.js';
import { fgnetFolders, fgnetScanner, looksLikeFgnetName } from './fgnet.js';
import { imdbWikiBase, imdbWikiScanner } from './imdb-wiki.js';
import { morph2Scanner, morphBase } from './morph2.js';
import type { Scanner } from './types.js';
import { utkfaceScanner, looksLikeUtkName } from './utkface.js';
import { isImageName, listImageFiles } from './walk.js';

export type ImportFormat = Scanner['format'];
export const IMPORT_FORMATS: readonly ImportFormat[] = ['morph2', 'utkface', 'fgnet', 'csv', 'imdb-wiki', 'cacd'];

export const SCANNERS: Readonly<Record<ImportFormat, Scanner>> = {
  morph2: morph2Scanner,
  utkface: utkfaceScanner,
  fgnet: fgnetScanner,
  csv: csvScanner,
  'imdb-wiki': imdbWikiScanner,
  cacd: cacdScanner,
};

function baseName(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

/**
 * Guesses the format from the folder: MORPH-2's Index/Images layout, IMDB-WIKI's imdb.mat/wiki.mat, FG-NET's SSSAaa
 * names (with points/), CACD's AGE_First_Last_NNNN names, UTKFace's AGE_GENDER_RACE_DATE names, else a lone CSV.
 * Throws when nothing fits.
 */
export async function detectFormat(root: string): Promise<ImportFormat> {
  if (await morphBase(root)) return 'morph2';
  if (await imdbWikiBase(root)) return 'imdb-wiki';
  const fg = await fgnetFolders(root);
  const fgFiles = (await fs.readdir(fg.images)).filter((n) => isImageName(n));
  if (fgFiles.length > 0 && fgFiles.filter(looksLikeFgnetName).length >= fgFiles.length / 2) return 'fgnet';
  const top = await fs.readdir(root);
  const csvs = top.filter((n) => n.toLowerCase().endsWith('.csv') && !n.startsWith('.'));
  const images = await listImageFiles(root);
  const cacd = images.filter((rel) => looksLikeCacdName(baseName(rel))).length;
  if (images.length > 0 && cacd >= images.length / 2) return 'cacd';
  const utk = images.filter((rel) => looksLikeUtkName(baseName(rel))).length;
  if (images.length > 0 && utk >= images.length / 2 && csvs.length === 0) return 'utkface';
  if (csvs.length === 1) return 'csv';
  if (images.length > 0 && utk >= images.length / 2) return 'utkface';
  throw new Error(
    `cannot tell the format of ${path.resolve(root)} (${images.length} images, ${csvs.length} CSV files): pass --format ${IMPORT_FORMATS.join('|')}`,
  );
}
