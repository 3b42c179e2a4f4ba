import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../contract/api.js';
import { startServer, type RunningServer } from '../app/serve/server.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR } from './helpers/shared-data.js';
import { parseJsonLines, startCli } from './helpers/cli.js';
import { request as rawRequest, type Reply, type RequestOptions } from './helpers/http-request.js';

let server: RunningServer;
let dataDir: string;

function request(rawPath: string, opts: RequestOptions = {}): Promise<Reply> {
  return rawRequest(server.port, rawPath, opts);
}

/** What the browser sends with every request of the page once it has loaded: the token cookie. */
function withCookie(): Record<string, string> {
  return { cookie: `chronoface_token=${server.token}` };
}

function api(method: string, body: unknown, token: string | null = server.token): Promise<Reply> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers['x-chronoface-token'] = token;
  return request(`/api/${method}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

beforeAll(async () => {
  dataDir = tempDir('serve');
  fs.mkdirSync(path.join(dataDir, 'crops/000'), { recursive: true });
  fs.writeFileSync(path.join(dataDir, 'crops/000/7.png'), 'crop bytes');
  server = await startServer({ dataDir });
});

afterAll(async () => {
  await server?.close();
});

describe('chronoface serve (browser mode)', () => {
  it('listens on 127.0.0.1 only', async () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    const external = Object.values(os.networkInterfaces())
      .flat()
      .find((i) => i && i.family === 'IPv4' && !i.internal);
    if (external) {
      const refused = await new Promise<boolean>((resolve) => {
        const s = net.connect({ host: external.address, port: server.port });
        s.once('connect', () => {
          s.destroy();
          resolve(false);
        });
        s.once('error', () => resolve(true));
      });
      expect(refused, `reachable on ${external.address}`).toBe(true);
    }
  });

  it('says so when the port is taken', async () => {
    await expect(startServer({ dataDir: tempDir('serve-busy'), port: server.port })).rejects.toThrow(`port ${server.port} on 127.0.0.1 is in use`);
  });

  it('refuses every request without the right token: API, events, files, photos and the page', async () => {
    const noToken = [
      await api('appInfo', {}, null),
      await api('appInfo', {}, 'f'.repeat(64)),
      await api('reviewList', { offset: 0, limit: 5 }, ''),
      await request('/api/events'),
      await request('/'),
      await request('/index.html'),
      await request('/assets/studio.js'),
      await request('/files/crops/000/7.png'),
      // The token with its last character changed (to a different one: a token ending in 0 would otherwise match).
      await request('/files/crops/000/7.png', { headers: { cookie: `chronoface_token=${server.token.slice(0, -1)}${server.token.endsWith('0') ? '1' : '0'}` } }),
      await request('/images/1'),
      // Never a token in the URL of a data file, a photo or the events: it would land in history and logs.
      await request(`/files/crops/000/7.png?token=${server.token}`),
      await request(`/images/1?token=${server.token}`),
      await request(`/api/events?token=${server.token}`),
    ];
    for (const r of noToken) expect(r.status).toBe(401);
    expect(JSON.parse(noToken[0]!.body)).toMatchObject({ ok: false, error: { code: 'unauthorized' } });
  });

  it('serves the API with the token, in the wire format', async () => {
    const info = await api('appInfo', {});
    expect(info.status).toBe(200);
    expect(JSON.parse(info.body)).toMatchObject({ ok: true, result: { transport: 'browser', dataDir, canUseDialogs: false } });
    const list = await api('datasetsList', {});
    expect(JSON.parse(list.body)).toEqual({ ok: true, result: { datasets: [] } });
    // API calls take the token from the header only.
    expect((await request(`/api/datasetsList?token=${server.token}`, { method: 'POST', body: '{}' })).status).toBe(401);
    const bad = await api('reviewList', { offset: 0 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ ok: false, error: { code: 'invalid-argument', message: 'reviewList.limit: is required' } });
    expect((await api('noSuchMethod', {})).status).toBe(404);
    expect(JSON.parse((await api('pickFolder', {})).body).error.code).toBe('unsupported');
    const notJson = await request('/api/appInfo', { method: 'POST', headers: { 'x-chronoface-token': server.token }, body: '{nope' });
    expect(JSON.parse(notJson.body).error.code).toBe('invalid-argument');
  });

  it('serves data files with the token and refuses traversal, absolute paths and the catalogue', async () => {
    const ok = await request('/files/crops/000/7.png', { headers: withCookie() });
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('image/png');
    expect(ok.body).toBe('crop bytes');
    const refused = [
      '/files/../catalogue.sqlite',
      '/files/crops/../../../etc/passwd',
      '/files/%2e%2e/catalogue.sqlite',
      '/files/crops/%2E%2E/%2e%2e/etc/passwd',
      '/files/%2Fetc%2Fpasswd',
      '/files/crops%5C..%5C..%5Cetc',
      '/files/catalogue.sqlite',
      '/files/catalogue.sqlite-wal',
      '/files/.secret/x',
      '/../package.json',
    ];
    for (const p of refused) expect((await request(p, { headers: withCookie() })).status, p).toBe(403);
    expect((await request('/files/crops/000/missing.png', { headers: withCookie() })).status).toBe(404);
    // A client that is not a page may send the header instead.
    const byHeader = await request('/files/crops/000/7.png', { headers: { 'x-chronoface-token': server.token } });
    expect(byHeader.body).toBe('crop bytes');
  });

  it('answers 404 for a file that vanishes between its stat and its read, and keeps serving', async () => {
    const file = path.join(dataDir, 'crops/000/8.png');
    fs.writeFileSync(file, 'soon gone');
    const stat = fs.promises.stat;
    const vanishing = vi.spyOn(fs.promises, 'stat').mockImplementation((async (p: fs.PathLike) => {
      const s = await stat(p);
      if (p === file) fs.rmSync(file);
      return s;
    }) as typeof fs.promises.stat);
    try {
      expect((await request('/files/crops/000/8.png', { headers: withCookie() })).status).toBe(404);
    } finally {
      vanishing.mockRestore();
    }
    expect(fs.existsSync(file)).toBe(false);
    expect((await request('/files/crops/000/7.png', { headers: withCookie() })).body).toBe('crop bytes');
  }, 20_000);

  it('refuses the API to pages of other local ports (cross-port request forgery) and to the cookie', async () => {
    const own = `http://127.0.0.1:${server.port}`;
    const otherPort = `http://127.0.0.1:${server.port === 65535 ? 65534 : server.port + 1}`;
    const cookie = `chronoface_token=${server.token}`;
    // What a page on another port can send without a preflight: text/plain, and the browser adds the cookie.
    const post = (headers: Record<string, string>) => request('/api/appInfo', { method: 'POST', headers: { 'content-type': 'text/plain', ...headers }, body: '{}' });
    expect((await post({ origin: otherPort, cookie })).status).toBe(403);
    expect((await post({ origin: otherPort, 'x-chronoface-token': server.token })).status).toBe(403);
    expect((await post({ origin: 'null', 'x-chronoface-token': server.token })).status).toBe(403);
    expect((await post({ origin: own, cookie })).status).toBe(401);
    // The events take the cookie (EventSource cannot set headers), from the page's own origin only.
    expect((await request('/api/events', { headers: { cookie, origin: otherPort } })).status).toBe(403);
    const ok = await post({ origin: own, 'x-chronoface-token': server.token });
    expect(ok.status).toBe(200);
    expect(JSON.parse(ok.body)).toMatchObject({ ok: true, result: { transport: 'browser' } });
    // The origin is compared with the Host the page was loaded from (localhost, or the local port of an SSH tunnel).
    const tunnelled = await post({ host: 'localhost:8000', origin: 'http://localhost:8000', 'x-chronoface-token': server.token });
    expect(tunnelled.status).toBe(200);
  });

  it('refuses a foreign Host header (DNS rebinding) even with the token', async () => {
    const r = await request(`/api/appInfo?token=${server.token}`, { method: 'POST', headers: { host: 'evil.example:80' }, body: '{}' });
    expect(r.status).toBe(403);
    const o = await request(`/api/appInfo?token=${server.token}`, { method: 'POST', headers: { origin: 'https://evil.example' }, body: '{}' });
    expect(o.status).toBe(403);
  });

  it('trades the printed URL for a cookie and a URL without the token, and serves the page with a CSP', async () => {
    expect(fs.existsSync(path.resolve('dist/renderer/index.html')), 'dist/renderer is missing: run npm run build first (npm test does)').toBe(true);
    const entry = await request(`/?token=${server.token}`);
    expect(entry.status).toBe(303);
    expect(entry.headers.location).toBe('/');
    const cookie = String(entry.headers['set-cookie']);
    expect(cookie).toContain(`chronoface_token=${server.token}`);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const page = await request('/', { headers: withCookie() });
    expect(page.status).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['cache-control']).toBe('no-store');
    // The page's own script reads the token for its API header from here.
    expect(page.body).toContain(`<meta name="chronoface-token" content="${server.token}">`);
    const asset = /src="\.\/(assets\/[^"]+\.js)"/.exec(page.body)?.[1];
    expect(asset).toBeDefined();
    const script = await request(`/${asset}`, { headers: withCookie() });
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toContain('javascript');
  });

  it('streams events over SSE while an import runs', async () => {
    const events: ApiEvent[] = [];
    const sse = await new Promise<http.IncomingMessage>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port: server.port, path: '/api/events', headers: withCookie() }, resolve).on('error', reject);
    });
    expect(sse.headers['content-type']).toContain('text/event-stream');
    let buffer = '';
    sse.on('data', (d: Buffer) => {
      buffer += d.toString();
      let i;
      while ((i = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, i);
        buffer = buffer.slice(i + 2);
        for (const line of block.split('\n')) if (line.startsWith('data: ')) events.push(JSON.parse(line.slice(6)) as ApiEvent);
      }
    });
    const r = JSON.parse((await api('datasetsImport', { path: FGNET_DIR })).body);
    expect(r).toMatchObject({ ok: true, result: { imported: 73, failed: 0 } });
    // Emitted before the call answered; on a loaded machine its bytes may still be on their way.
    for (let i = 0; i < 500 && !events.some((e) => e.type === 'import.done'); i++) await new Promise((res) => setTimeout(res, 20));
    sse.destroy();
    const done = events.find((e) => e.type === 'import.done');
    expect(done).toMatchObject({ type: 'import.done', imported: 73 });
    const last = events.filter((e) => e.type === 'import.progress').pop();
    expect(last).toMatchObject({ done: 73, total: 73 });
    // Source photos are served by catalogue id, not by path.
    const photo = await request('/images/1', { headers: withCookie() });
    expect(photo.status).toBe(200);
    expect(photo.headers['content-type']).toMatch(/^image\//);
    expect((await request('/images/999999', { headers: withCookie() })).status).toBe(404);
    // File URLs in answers and events carry no token.
    expect(JSON.stringify(events)).not.toContain(server.token);
  });
});

describe('chronoface serve CLI', () => {
  it('prints {"url"} first with --json, answers with the token, and stops on SIGINT', async () => {
    const dir = tempDir('serve-cli');
    const child = startCli(['serve', '--json', '--data-dir', dir]);
    let stdout = '';
    const first = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no URL line; stdout: ${stdout}`)), 30_000);
      child.stdout!.on('data', (d: Buffer) => {
        stdout += d.toString();
        const lines = parseJsonLines(stdout);
        if (lines.length > 0) {
          clearTimeout(timer);
          resolve(lines[0]!);
        }
      });
    });
    const url = String(first.url);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{64}$/);
    const base = url.slice(0, url.indexOf('/?'));
    const token = url.slice(url.indexOf('token=') + 6);
    expect((await fetch(`${base}/api/appInfo`, { method: 'POST', body: '{}' })).status).toBe(401);
    const ok = (await (await fetch(`${base}/api/appInfo`, { method: 'POST', body: '{}', headers: { 'x-chronoface-token': token } })).json()) as {
      result: { dataDir: string };
    };
    expect(ok.result.dataDir).toBe(dir);
    const code = await new Promise<number | null>((resolve) => {
      child.on('close', resolve);
      child.kill('SIGINT');
    });
    expect(code).toBe(0);
    expect(parseJsonLines(stdout).pop()).toMatchObject({ stopped: true });
  });
});
