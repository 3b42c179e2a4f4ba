/**
 * Electron main: glue only. One instance; the chronoface:// protocol; the studio window (isolated, sandboxed, strict
 * CSP, no navigation); IPC for every contract method over the studio service; the vision host in hidden windows; the
 * trainer in a utilityProcess; on quit, a running training keeps its checkpoint and is stopped.
 */
import { app, BrowserWindow, dialog, ipcMain, protocol } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ELECTRON_SCHEME } from '../contract/files.js';
import { createStudioService, type StudioService } from '../app/service.js';
import { APP_NAME } from '../db/data-dir.js';
import { resolveModelFile, VISION_MODEL_NAMES, type VisionModelName } from '../ml/vision/models.js';
import { hostHandlers } from './host-methods.js';
import { forwardEvents, registerIpc, type IpcMainLike } from './ipc.js';
import { createProtocolHandler } from './protocol.js';
import { utilitySpawnTrainer } from './trainer.js';
import { createWindowVisionHost } from './vision-window.js';
import { createStudioWindow, lockDown } from './window.js';

const here = path.dirname(fileURLToPath(import.meta.url));
/** dist/ : from dist/node/main when built, from main/ when run from source (tests). */
const distDir = here.includes(`${path.sep}dist${path.sep}node${path.sep}`) ? path.resolve(here, '../..') : path.resolve(here, '../dist');
const PRELOAD = path.join(distDir, 'preload/preload.cjs');
const RENDERER_DIR = path.join(distDir, 'renderer');

/** --data-dir DIR (or --data-dir=DIR), then CHRONOFACE_DATA_DIR, then userData. */
export function dataDirFrom(argv: readonly string[], env: NodeJS.ProcessEnv, userData: string): string {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--data-dir' && argv[i + 1]) return path.resolve(argv[i + 1]!);
    if (a.startsWith('--data-dir=')) return path.resolve(a.slice('--data-dir='.length));
  }
  if (env.CHRONOFACE_DATA_DIR) return path.resolve(env.CHRONOFACE_DATA_DIR);
  return userData;
}

app.setName(APP_NAME);
protocol.registerSchemesAsPrivileged([
  { scheme: ELECTRON_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true, stream: true, codeCache: true } },
]);

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  let studio: BrowserWindow | null = null;
  let service: StudioService | null = null;
  let quitting = false;

  app.on('second-instance', () => {
    if (studio) {
      if (studio.isMinimized()) studio.restore();
      studio.focus();
    }
  });

  app.on('web-contents-created', (_e, contents) => lockDown(contents));

  app.whenReady().then(() => {
    const dataDir = dataDirFrom(process.argv, process.env, app.getPath('userData'));
    const models = new Map<string, string>();
    service = createStudioService({
      dataDir,
      transport: 'electron',
      version: app.getVersion(),
      canUseDialogs: true,
      onCatalogueUpgrade: (message) => console.log(`Chronoface: ${message}`),
      spawnTrainer: utilitySpawnTrainer,
      createVisionHost: async ({ onModelProgress }) => {
        for (const name of VISION_MODEL_NAMES) {
          models.set(name, await resolveModelFile(name as VisionModelName, { dataDir, onProgress: onModelProgress }));
        }
        return createWindowVisionHost(2);
      },
    });
    const svc = service;
    protocol.handle(
      ELECTRON_SCHEME,
      createProtocolHandler({ dataDir, rendererDir: RENDERER_DIR, sourceImageFile: (id) => svc.sourceImageFile(id), modelFile: (n) => models.get(n) }),
    );
    registerIpc(ipcMain as unknown as IpcMainLike, svc, hostHandlers(dataDir, () => studio));
    forwardEvents(svc, () => studio?.webContents ?? null);
    studio = createStudioWindow(PRELOAD);
    studio.on('closed', () => {
      studio = null;
      // The hidden vision windows would keep the app alive.
      if (process.platform !== 'darwin') app.quit();
    });
  }).catch((err: unknown) => {
    console.error('chronoface: could not start:', err);
    dialog.showErrorBox('Chronoface could not start', err instanceof Error ? err.message : String(err));
    app.exit(1);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (!studio && service) studio = createStudioWindow(PRELOAD);
  });

  // A running training keeps its last epoch checkpoint (resumable), is stopped, then the app quits.
  app.on('before-quit', (event) => {
    if (quitting || !service) return;
    event.preventDefault();
    quitting = true;
    const svc = service;
    service = null;
    void svc
      .close()
      .catch((err: unknown) => console.error('chronoface: closing failed:', err))
      .finally(() => app.quit());
  });
}
