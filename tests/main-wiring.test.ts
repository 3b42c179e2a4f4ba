import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { channelOf, METHODS, type Envelope } from '../contract/api.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { MockBrowserWindow, recorded } from './helpers/mock-electron.js';

vi.mock('electron', async () => (await import('./helpers/mock-electron.js')).electronModule);

const dataDir = tempDir('main');
const STUDIO = 'chronoface://app/index.html';

function frame(url: string, parent: unknown = null) {
  return { senderFrame: { url, parent } };
}

async function invoke(method: string, event: unknown, ...args: unknown[]): Promise<Envelope<'appInfo'>> {
  const handler = recorded.ipcHandlers.get(channelOf(method as 'appInfo'));
  if (!handler) throw new Error(`${method} is not registered`);
  return (await handler(event, ...args)) as Envelope<'appInfo'>;
}

function protocolGet(url: string): Promise<Response> {
  const handler = recorded.protocolHandlers.get('chronoface');
  if (!handler) throw new Error('chronoface:// is not handled');
  // A plain object, not a Request: the URL parser would fold `..` away, and the handler must hold even so.
  return handler({ url, method: 'GET' } as Request);
}

beforeAll(async () => {
  process.env.CHRONOFACE_DATA_DIR = dataDir;
  await import('../main/index.js');
  for (let i = 0; i < 100 && recorded.ipcHandlers.size === 0; i++) await new Promise((r) => setTimeout(r, 10));
  fs.mkdirSync(path.join(dataDir, 'crops/001'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'crops/001/1.png'), Buffer.from('not really a png'));
});

afterAll(() => {
  fs.rmSync(dataDir, { recursive: true, force: true });
});

describe('Electron main wiring (mocked electron)', () => {
  it('takes the single-instance lock and registers chronoface:// as a privileged standard scheme', () => {
    expect(recorded.singleInstanceLockRequested).toBe(1);
    const scheme = recorded.privilegedSchemes.find((s) => s.scheme === 'chronoface');
    expect(scheme?.privileges).toMatchObject({ standard: true, secure: true, supportFetchAPI: true });
    expect(recorded.appName).toBe('Chronoface');
  });

  it('registers one IPC handler for every contract method and nothing else', () => {
    const expected = METHODS.map((m) => channelOf(m)).sort();
    expect([...recorded.ipcHandlers.keys()].sort()).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(35);
  });

  it('answers the studio page', async () => {
    const r = await invoke('appInfo', frame(STUDIO), {});
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.result.transport).toBe('electron');
      expect(r.result.dataDir).toBe(dataDir);
      expect(r.result.canUseDialogs).toBe(true);
    }
    const list = (await invoke('reviewList', frame(`${STUDIO}#/review`), { offset: 0, limit: 10 })) as unknown as Envelope<'reviewList'>;
    expect(list).toEqual({ ok: true, result: { total: 0, offset: 0, items: [] } });
  });

  it('rejects foreign senders: other origins, sub-frames, the vision page, destroyed frames', async () => {
    const foreign = [
      frame('https://evil.example/index.html'),
      frame('file:///tmp/index.html'),
      frame('chronoface://files/crops/001/1.png'),
      frame('chronoface://app/vision/index.html'),
      frame(STUDIO, { url: 'chronoface://app/index.html' }),
      frame(''),
      { senderFrame: null },
    ];
    for (const event of foreign) {
      for (const method of ['appInfo', 'reviewSetStatus', 'datasetsImport']) {
        const r = await invoke(method, event, {});
        expect(r.ok).toBe(false);
        if (!r.ok) expect(r.error.code).toBe('unauthorized');
      }
    }
  });

  it('validates arguments before calling the service', async () => {
    const cases: [string, unknown[]][] = [
      ['reviewList', [{ offset: -1, limit: 10 }]],
      ['reviewList', [{ offset: 0, limit: 10, extra: true }]],
      ['reviewSetStatus', [{ ids: [1], status: 'deleted' }]],
      ['alignRecut', [{ id: 1, keypoints: { leftEye: [1, 2] } }]],
      ['trainStart', [{ size: 100, epochs: 1, batch: 8, beta: 1, lr: 0.001, balance: 'none' }]],
      ['trainStart', [{ size: 64, epochs: 1, batch: 8, beta: -1, lr: 0.001, balance: 'none' }]],
      ['appInfo', [{}, {}]],
      ['datasetsImport', ['/etc']],
    ];
    for (const [method, args] of cases) {
      const r = await invoke(method, frame(STUDIO), ...args);
      expect(r.ok, `${method} ${JSON.stringify(args)}`).toBe(false);
      if (!r.ok) expect(r.error.code).toBe('invalid-argument');
    }
  });

  it('opens the studio window isolated, sandboxed, without Node, and refuses navigation and new windows', () => {
    const studio = recorded.windows.find((w) => w.webContents.url === STUDIO) as MockBrowserWindow | undefined;
    expect(studio).toBeDefined();
    const prefs = studio!.options.webPreferences!;
    expect(prefs).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webSecurity: true, webviewTag: false });
    expect(String(prefs.preload)).toMatch(/dist[\\/]preload[\\/]preload\.cjs$/);
    expect(studio!.webContents.windowOpenHandler!({ url: 'https://example.com/' })).toEqual({ action: 'deny' });
    expect(studio!.webContents.windowOpenHandler!({ url: 'chronoface://app/index.html' })).toEqual({ action: 'deny' });
    let prevented = 0;
    studio!.webContents.emit('will-navigate', { preventDefault: () => prevented++ }, 'https://evil.example/');
    studio!.webContents.emit('will-navigate', { preventDefault: () => prevented++ }, 'chronoface://app/other.html');
    expect(prevented).toBe(2);
  });

  it('serves data files through chronoface://files and refuses `..`, absolute paths and the catalogue', async () => {
    const ok = await protocolGet('chronoface://files/crops/001/1.png');
    expect(ok.status).toBe(200);
    expect(ok.headers.get('content-type')).toBe('image/png');
    expect(await ok.text()).toBe('not really a png');

    const refused = [
      'chronoface://files/../catalogue.sqlite',
      'chronoface://files/crops/../../etc/passwd',
      'chronoface://files/%2e%2e/catalogue.sqlite',
      'chronoface://files/crops/%2E%2E/%2E%2E/etc/passwd',
      'chronoface://files/%2Fetc%2Fpasswd',
      'chronoface://files//etc/passwd',
      'chronoface://files/C:%5CWindows%5Cwin.ini',
      'chronoface://files/crops%5C..%5C..%5Cetc',
      'chronoface://files/catalogue.sqlite',
      'chronoface://files/.hidden/x',
    ];
    for (const url of refused) {
      const r = await protocolGet(url);
      expect(r.status, url).toBe(403);
    }
    // What Chromium would hand over after folding `..`: still never the catalogue or anything outside.
    const folded = await recorded.protocolHandlers.get('chronoface')!(new Request('chronoface://files/crops/../../catalogue.sqlite'));
    expect(folded.status).toBe(403);
    expect((await protocolGet('chronoface://files/crops/001/missing.png')).status).toBe(404);
    expect((await protocolGet('chronoface://nowhere/x')).status).toBe(404);
  });

  it('serves the studio page with a strict CSP and no path out of the renderer folder', async () => {
    const page = await protocolGet('chronoface://app/index.html');
    if (fs.existsSync(path.resolve('dist/renderer/index.html'))) {
      expect(page.status).toBe(200);
      const csp = page.headers.get('content-security-policy') ?? '';
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe-eval');
    }
    expect((await protocolGet('chronoface://app/../package.json')).status).toBe(403);
    expect((await protocolGet('chronoface://app/%2e%2e/%2e%2e/package.json')).status).toBe(403);
  });

  it('forwards service events to the studio window, and answers with chronoface:// URLs, never paths', async () => {
    const r = (await invoke('datasetsImport', frame(STUDIO), { path: FGNET_DIR })) as unknown as Envelope<'datasetsImport'>;
    expect(r).toMatchObject({ ok: true, result: { imported: 73 } });
    const sent = recorded.sent.filter((m) => m.channel === 'chronoface:event').map((m) => m.args[0] as { type: string });
    expect(sent.some((e) => e.type === 'import.done')).toBe(true);
    const photo = path.join(FGNET_DIR, 'images', fs.readdirSync(path.join(FGNET_DIR, 'images'))[0]!);
    const added = (await invoke('agePhotoAdd', frame(STUDIO), { path: photo })) as unknown as Envelope<'agePhotoAdd'>;
    expect(added.ok).toBe(true);
    if (added.ok) {
      expect(added.result.url).toMatch(/^chronoface:\/\/files\/uploads\/[0-9a-f]{16}\.jpg$/);
      const served = await protocolGet(added.result.url);
      expect(served.status).toBe(200);
      expect(Buffer.from(await served.arrayBuffer()).equals(fs.readFileSync(photo))).toBe(true);
    }
  });

  it('on quit, holds the quit until the service is closed, then quits', async () => {
    let prevented = 0;
    const before = recorded.quitCalls;
    recorded.appEvents.emit('before-quit', { preventDefault: () => prevented++ });
    expect(prevented).toBe(1);
    for (let i = 0; i < 100 && recorded.quitCalls === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(recorded.quitCalls).toBe(before + 1);
    // The second before-quit (from that app.quit()) goes through.
    recorded.appEvents.emit('before-quit', { preventDefault: () => prevented++ });
    expect(prevented).toBe(1);
  });
});
