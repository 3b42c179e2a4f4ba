import { BrowserWindow, shell, type WebContents } from 'electron';
import { ELECTRON_APP_ORIGIN } from '../contract/files.js';

export const STUDIO_PAGE = `${ELECTRON_APP_ORIGIN}/index.html`;

/** The webPreferences of every app window: isolated, sandboxed, no Node, web security on. */
export function secureWebPreferences(preload?: string): Electron.WebPreferences {
  return {
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    webviewTag: false,
    navigateOnDragDrop: false,
    spellcheck: false,
    ...(preload ? { preload } : {}),
  };
}

/** No navigation away from the app and no new windows; http(s) links open in the user's browser instead. */
const locked = new WeakSet<WebContents>();

export function lockDown(contents: WebContents): void {
  if (locked.has(contents)) return;
  locked.add(contents);
  contents.setWindowOpenHandler(({ url }) => {
    if (/^https?:\/\//.test(url)) void shell.openExternal(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => event.preventDefault());
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.session.setPermissionRequestHandler((_wc, permission, callback) => callback(permission === 'clipboard-sanitized-write'));
}

export function createStudioWindow(preload: string): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'Chronoface',
    backgroundColor: '#1e1e1e',
    webPreferences: secureWebPreferences(preload),
  });
  lockDown(win.webContents);
  win.once('ready-to-show', () => win.show());
  void win.loadURL(STUDIO_PAGE);
  return win;
}
