import crypto from 'node:crypto';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startServer, type RunningServer } from '../app/serve/server.js';
import { createStudioService, type StudioService } from '../app/service.js';
import { createHttpApi } from '../renderer/src/lib/api/http.js';
import { eventually } from './helpers/e2e-studio.js';
import { request } from './helpers/http-request.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const tempDir = tempDirsForFile();
let server: RunningServer;
let photo: Buffer;

/** An uncompressed PNG of noise: `side`² pixels, 3 bytes each. */
function noisePng(side: number): Promise<Buffer> {
  return sharp(crypto.randomBytes(side * side * 3), { raw: { width: side, height: side, channels: 3 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
}

function upload(to: RunningServer, name: string, bytes: Buffer) {
  const headers = { 'x-chronoface-token': to.token, 'content-type': 'application/octet-stream', 'content-length': String(bytes.length) };
  return request(to.port, `/api/agePhotoAdd?name=${encodeURIComponent(name)}`, { method: 'POST', headers, body: bytes });
}

const sha1 = (b: Buffer) => crypto.createHash('sha1').update(b).digest('hex');

beforeAll(async () => {
  photo = await noisePng(2600);
  server = await startServer({ dataDir: tempDir('serve-upload') });
});

afterAll(async () => {
  await server?.close();
});

describe('chronoface serve: photo uploads as raw bytes', () => {
  it('stores a 20 MB photo sent as application/octet-stream', async () => {
    expect(photo.length).toBeGreaterThan(20_000_000);
    const r = await upload(server, 'big noise.png', photo);
    expect(r.status, r.body).toBe(200);
    const { result } = JSON.parse(r.body) as { result: { photoId: string; name: string; url: string; width: number; height: number } };
    expect(result).toMatchObject({ name: 'big noise.png', width: 2600, height: 2600 });
    // The URL carries no token: the page's cookie does.
    expect(result.url).not.toContain('token');
    const stored = await request(server.port, result.url, { headers: { cookie: `chronoface_token=${server.token}` } });
    expect(stored.status).toBe(200);
    expect(sha1(stored.bytes)).toBe(sha1(photo));
  });

  it("the renderer's HTTP client sends a dropped photo as raw bytes", async () => {
    const fetchSpy = vi.spyOn(globalThis, 'fetch');
    try {
      const api = createHttpApi(server.token, `http://127.0.0.1:${server.port}`);
      const added = await api.agePhotoAdd({ name: 'dropped.png', dataBase64: photo.toString('base64') });
      expect(added).toMatchObject({ name: 'dropped.png', width: 2600, height: 2600 });
      const [url, init] = fetchSpy.mock.calls.at(-1)!;
      expect(String(url)).toContain('/api/agePhotoAdd?name=dropped.png');
      expect(new Headers(init?.headers).get('content-type')).toBe('application/octet-stream');
      expect((init?.body as Uint8Array).byteLength).toBe(photo.length);
      expect(sha1((await request(server.port, added.url, { headers: { cookie: `chronoface_token=${server.token}` } })).bytes)).toBe(sha1(photo));
    } finally {
      fetchSpy.mockRestore();
    }
  });

  it('refuses an upload without a name, and bytes for any other method', async () => {
    const noName = await request(server.port, '/api/agePhotoAdd', {
      method: 'POST',
      headers: { 'x-chronoface-token': server.token, 'content-type': 'application/octet-stream' },
      body: photo.subarray(0, 100),
    });
    expect(noName.status).toBe(400);
    expect(JSON.parse(noName.body).error.message).toContain('agePhotoAdd.name');
    const other = await request(server.port, '/api/appInfo', {
      method: 'POST',
      headers: { 'x-chronoface-token': server.token, 'content-type': 'application/octet-stream' },
      body: '{}',
    });
    expect(other.status).toBe(400);
    expect(JSON.parse(other.body).error.message).toContain('only agePhotoAdd takes raw bytes');
  });

  it('processes at most two uploads at once; a third waits for a free slot', async () => {
    const dataDir = tempDir('serve-upload-slots');
    const real = createStudioService({ dataDir });
    const small = await noisePng(16);
    const gates: (() => void)[] = [];
    let started = 0;
    let running = 0;
    let most = 0;
    const service: StudioService = {
      ...real,
      async addPhoto(name, bytes) {
        started++;
        most = Math.max(most, ++running);
        await new Promise<void>((resolve) => gates.push(resolve));
        running--;
        return real.addPhoto(name, bytes);
      },
    };
    const gated = await startServer({ dataDir, service });
    try {
      const replies = Promise.all(['a.png', 'b.png', 'c.png'].map((name) => upload(gated, name, small)));
      await eventually(() => (started === 2 && gated.uploads.waiting === 1 ? true : undefined), 10_000, 'two uploads running, one waiting');
      expect([started, gated.uploads.running]).toEqual([2, 2]);
      gates.shift()!();
      await eventually(() => (started === 3 ? true : undefined), 10_000, 'the third upload to start');
      expect([gated.uploads.running, gated.uploads.waiting]).toEqual([2, 0]);
      for (const open of gates.splice(0)) open();
      expect((await replies).map((r) => r.status)).toEqual([200, 200, 200]);
      expect(most).toBe(2);
      expect([gated.uploads.running, gated.uploads.waiting]).toEqual([0, 0]);
    } finally {
      await gated.close();
      await real.close();
    }
  });
});
