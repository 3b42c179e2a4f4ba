import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_PHOTO_BYTES } from '../app/photos.js';
import http from 'node:http';
import { LARGE_BODIES_AT_ONCE, LARGE_BODY_BYTES, MAX_BODY_BYTES, startServer, type RunningServer } from '../app/serve/server.js';
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

describe('chronoface serve: large bodies at once', () => {
  /** A 2 MB JSON call (announced, or chunked) held back after `first` bytes until `finish` is called. */
  function heldCall(chunked: boolean, first: number): { answer: Promise<{ status: number; body: string }>; finish: () => void } {
    const body = Buffer.from(`{}${' '.repeat(2 * LARGE_BODY_BYTES)}`);
    let finish = (): void => undefined;
    const headers: Record<string, string> = { 'x-chronoface-token': server.token, 'content-type': 'application/json' };
    if (!chunked) headers['content-length'] = String(body.length);
    const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: server.port, path: '/api/datasetsList', method: 'POST', headers }, (res) => {
        let text = '';
        res.on('data', (d: Buffer) => (text += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      req.write(body.subarray(0, first));
      finish = () => req.end(body.subarray(first));
    });
    return { answer, finish: () => finish() };
  }

  it('answers 503 with the reason beyond the limit, serves small calls meanwhile, and takes large ones again once free', async () => {
    expect(LARGE_BODIES_AT_ONCE).toBe(2);
    // One announced as large, one chunked that has sent more than the large size so far.
    const held = [heldCall(false, 1024), heldCall(true, LARGE_BODY_BYTES + 512 * 1024)];
    for (let i = 0; i < 500 && server.largeBodies.running < LARGE_BODIES_AT_ONCE; i++) await new Promise((r) => setTimeout(r, 10));
    expect(server.largeBodies.running).toBe(LARGE_BODIES_AT_ONCE);
    const big = Buffer.from(`{}${' '.repeat(2 * LARGE_BODY_BYTES)}`);
    const headers = { 'x-chronoface-token': server.token, 'content-type': 'application/json', 'content-length': String(big.length) };
    const refused = await request(server.port, '/api/datasetsList', { method: 'POST', headers, body: big });
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('2');
    expect(JSON.parse(refused.body)).toEqual({
      ok: false,
      error: { code: 'busy', message: `too many large requests at once: ${LARGE_BODIES_AT_ONCE} bodies over 1 MB are being handled; try again in 2 s` },
    });
    // A chunked body is refused once it has passed the large size; a small one (appInfo's, chunked) goes through.
    const chunked = await request(server.port, '/api/datasetsList', { method: 'POST', headers: { 'x-chronoface-token': server.token }, body: big });
    expect(chunked.status).toBe(503);
    expect((await appInfo()).status).toBe(200);
    for (const h of held) h.finish();
    for (const h of held) expect(await h.answer).toEqual({ status: 200, body: JSON.stringify({ ok: true, result: { datasets: [] } }) });
    expect(server.largeBodies.running).toBe(0);
    expect((await request(server.port, '/api/datasetsList', { method: 'POST', headers, body: big })).status).toBe(200);
  });
});
