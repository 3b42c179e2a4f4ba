import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES } from '../app/photos.js';
import { MAX_BODY_BYTES, startServer, type RunningServer } from '../app/serve/server.js';
import { request } from './helpers/http-request.js';
import { tempDirsForFile } from './helpers/temp-dirs.js';

const tempDir = tempDirsForFile();
let server: RunningServer;

beforeAll(async () => {
  server = await startServer({ dataDir: tempDir('serve-limits') });
});

afterAll(async () => {
  await server?.close();
});

const appInfo = () => request(server.port, '/api/appInfo', { method: 'POST', headers: { 'x-chronoface-token': server.token }, body: '{}' });

describe('chronoface serve: bodies over the cap', () => {
  const big = Buffer.alloc(70 * 1024 * 1024, 0x20);

  it('answers 413 to a 70 MB body announced by Content-Length, and keeps serving', async () => {
    expect(big.length).toBeGreaterThan(MAX_BODY_BYTES);
    const headers = { 'x-chronoface-token': server.token, 'content-type': 'application/json', 'content-length': String(big.length) };
    const r = await request(server.port, '/api/appInfo', { method: 'POST', headers, body: big });
    expect(r.status).toBe(413);
    expect(JSON.parse(r.body)).toMatchObject({ ok: false, error: { code: 'invalid-argument' } });
    expect((await appInfo()).status).toBe(200);
  });

  it('answers 413 to a chunked 70 MB body once it passes the cap, and keeps serving', async () => {
    const headers = { 'x-chronoface-token': server.token, 'content-type': 'application/json' };
    const r = await request(server.port, '/api/appInfo', { method: 'POST', headers, body: big });
    expect(r.status).toBe(413);
    expect((await appInfo()).status).toBe(200);
  });

  it('answers 413 to a photo upload over the photo cap', async () => {
    const photo = big.subarray(0, MAX_PHOTO_BYTES + 1);
    const headers = { 'x-chronoface-token': server.token, 'content-type': 'application/octet-stream', 'content-length': String(photo.length) };
    const r = await request(server.port, '/api/agePhotoAdd?name=big.jpg', { method: 'POST', headers, body: photo });
    expect(r.status).toBe(413);
    expect([server.uploads.running, server.uploads.waiting]).toEqual([0, 0]);
    expect((await appInfo()).status).toBe(200);
  });
});
