/** The methods only the desktop app has: native dialogs. */
import { dialog, type BrowserWindow } from 'electron';
import fs from 'node:fs';
import path from 'node:path';
import { ApiError } from '../contract/api.js';
import { ELECTRON_FILES_ORIGIN } from '../contract/files.js';
import { decodeUrlPath, resolveInside } from '../app/files.js';
import type { HostHandlers } from './ipc.js';

/** The data-directory file behind a chronoface://files/ URL (refusing anything outside it). */
export function fileOfUrl(dataDir: string, url: string): string {
  if (!url.startsWith(`${ELECTRON_FILES_ORIGIN}/`)) throw new ApiError('invalid-argument', 'only files of the data directory can be saved');
  const rel = url.slice(ELECTRON_FILES_ORIGIN.length + 1).split(/[?#]/)[0] ?? '';
  try {
    return resolveInside(dataDir, decodeUrlPath(rel));
  } catch (err) {
    throw new ApiError('invalid-argument', `refused: ${(err as Error).message}`);
  }
}

export function hostHandlers(dataDir: string, window: () => BrowserWindow | null): HostHandlers {
  return {
    async pickFolder({ title }) {
      const win = window();
      const options: Electron.OpenDialogOptions = { title: title ?? 'Choose a dataset folder', properties: ['openDirectory', 'createDirectory'] };
      const r = win ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
      return { path: r.canceled ? null : (r.filePaths[0] ?? null) };
    },
    async saveAs({ url, suggestedName }) {
      const source = fileOfUrl(dataDir, url);
      if (!fs.existsSync(source)) throw new ApiError('not-found', 'that file no longer exists');
      const win = window();
      const options: Electron.SaveDialogOptions = { defaultPath: path.basename(suggestedName) };
      const r = win ? await dialog.showSaveDialog(win, options) : await dialog.showSaveDialog(options);
      if (r.canceled || !r.filePath) return { path: null };
      await fs.promises.copyFile(source, r.filePath);
      return { path: r.filePath };
    },
  };
}
