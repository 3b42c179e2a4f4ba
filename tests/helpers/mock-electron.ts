/**
 * A stand-in for the `electron` module (Electron cannot be downloaded here), recording what main/ does with it:
 * IPC handlers, protocol handlers, privileged schemes, windows and their webPreferences and guards.
 * Use: vi.mock('electron', async () => (await import('./helpers/mock-electron.js')).electronModule).
 */
import { EventEmitter } from 'node:events';

type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

export const recorded = {
  ipcHandlers: new Map<string, Handler>(),
  protocolHandlers: new Map<string, (req: Request) => Promise<Response>>(),
  privilegedSchemes: [] as { scheme: string; privileges?: Record<string, boolean> }[],
  windows: [] as MockBrowserWindow[],
  singleInstanceLockRequested: 0,
  quitCalls: 0,
  appName: '',
  appEvents: new EventEmitter(),
  sent: [] as { channel: string; args: unknown[] }[],
};

class MockWebContents extends EventEmitter {
  static nextId = 1;
  readonly id = MockWebContents.nextId++;
  url = '';
  windowOpenHandler: ((details: { url: string }) => { action: string }) | null = null;
  permissionHandler: ((wc: unknown, permission: string, cb: (ok: boolean) => void) => void) | null = null;
  readonly session = {
    setPermissionRequestHandler: (h: MockWebContents['permissionHandler']) => {
      this.permissionHandler = h;
    },
  };
  setWindowOpenHandler(h: (details: { url: string }) => { action: string }): void {
    this.windowOpenHandler = h;
  }
  getURL(): string {
    return this.url;
  }
  isDestroyed(): boolean {
    return false;
  }
  send(channel: string, ...args: unknown[]): void {
    recorded.sent.push({ channel, args });
  }
  async executeJavaScript(): Promise<unknown> {
    throw new Error('no renderer in the mock');
  }
}

export class MockBrowserWindow extends EventEmitter {
  readonly webContents = new MockWebContents();
  destroyed = false;
  constructor(readonly options: { webPreferences?: Record<string, unknown>; show?: boolean }) {
    super();
    recorded.windows.push(this);
    recorded.appEvents.emit('web-contents-created', {}, this.webContents);
  }
  async loadURL(url: string): Promise<void> {
    this.webContents.url = url;
    queueMicrotask(() => this.emit('ready-to-show'));
  }
  show(): void {}
  focus(): void {}
  restore(): void {}
  isMinimized(): boolean {
    return false;
  }
  isDestroyed(): boolean {
    return this.destroyed;
  }
  destroy(): void {
    this.destroyed = true;
  }
}

const app = {
  setName(name: string) {
    recorded.appName = name;
  },
  getName: () => recorded.appName,
  getVersion: () => '0.0.0-test',
  getPath: (_name: string) => process.env.CHRONOFACE_TEST_USERDATA ?? '/nonexistent-userdata',
  requestSingleInstanceLock() {
    recorded.singleInstanceLockRequested++;
    return true;
  },
  whenReady: () => Promise.resolve(),
  on(event: string, listener: (...args: unknown[]) => void) {
    recorded.appEvents.on(event, listener);
    return app;
  },
  once(event: string, listener: (...args: unknown[]) => void) {
    recorded.appEvents.once(event, listener);
    return app;
  },
  quit() {
    recorded.quitCalls++;
  },
  exit() {},
};

const ipcMain = {
  handle(channel: string, handler: Handler) {
    if (recorded.ipcHandlers.has(channel)) throw new Error(`second handler for ${channel}`);
    recorded.ipcHandlers.set(channel, handler);
  },
  removeHandler(channel: string) {
    recorded.ipcHandlers.delete(channel);
  },
};

const protocol = {
  registerSchemesAsPrivileged(schemes: { scheme: string; privileges?: Record<string, boolean> }[]) {
    recorded.privilegedSchemes.push(...schemes);
  },
  handle(scheme: string, handler: (req: Request) => Promise<Response>) {
    recorded.protocolHandlers.set(scheme, handler);
  },
};

const unsupported = (what: string) => () => {
  throw new Error(`${what} is not available in the electron mock`);
};

export const electronModule = {
  app,
  ipcMain,
  protocol,
  BrowserWindow: MockBrowserWindow,
  shell: { openExternal: async () => undefined },
  dialog: { showOpenDialog: unsupported('dialog'), showSaveDialog: unsupported('dialog'), showErrorBox: () => undefined },
  utilityProcess: { fork: unsupported('utilityProcess') },
  contextBridge: { exposeInMainWorld: unsupported('contextBridge') },
  ipcRenderer: {},
  webUtils: {},
};

export default electronModule;
