import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { findChromium } from '../ml/vision/chromium.js';
import { createChromiumVisionHost } from '../ml/vision/chromium-host.js';
import { VisionPageServer } from '../ml/vision/page-server.js';
import { isHostFailure } from '../ml/prep/pipeline.js';
import { resolveModelFile, sha256File, VISION_MODELS } from '../ml/vision/models.js';
import { tempDir } from './helpers/env.js';
import { FGNET_DIR, MODELS_DIR } from './helpers/shared-data.js';
import { visionHostForSuite } from './helpers/vision-host.js';

describe('model files', () => {
  it('hard-codes the published sha256 of every model', () => {
    for (const [name, spec] of Object.entries(VISION_MODELS)) expect(sha256File(path.join(MODELS_DIR, name))).toBe(spec.sha256);
  });

  it('looks in CHRONOFACE_MODELS_DIR first, then <dataDir>/models/mediapipe', async () => {
    const dataDir = tempDir('models');
    const env = { CHRONOFACE_MODELS_DIR: MODELS_DIR };
    expect(await resolveModelFile('selfie_segmenter.tflite', { dataDir, env })).toBe(path.join(MODELS_DIR, 'selfie_segmenter.tflite'));
    const local = path.join(dataDir, 'models/mediapipe');
    fs.mkdirSync(local, { recursive: true });
    fs.copyFileSync(path.join(MODELS_DIR, 'selfie_segmenter.tflite'), path.join(local, 'selfie_segmenter.tflite'));
    expect(await resolveModelFile('selfie_segmenter.tflite', { dataDir, env: {} })).toBe(path.join(local, 'selfie_segmenter.tflite'));
  });

  it('downloads a missing model with progress and a sha256 check', async () => {
    const dataDir = tempDir('models-dl');
    const bytes = fs.readFileSync(path.join(MODELS_DIR, 'blaze_face_short_range.tflite'));
    const urls: string[] = [];
    const progress: number[] = [];
    // The official URL answered from the shared copy (the test machine is offline).
    const fetchImpl = (async (url: string) => {
      urls.push(url);
      return new Response(bytes, { headers: { 'content-length': String(bytes.length) } });
    }) as unknown as typeof fetch;
    const file = await resolveModelFile('blaze_face_short_range.tflite', { dataDir, env: {}, fetchImpl, onProgress: (p) => progress.push(p.received) });
    expect(file).toBe(path.join(dataDir, 'models/mediapipe/blaze_face_short_range.tflite'));
    expect(urls).toEqual([VISION_MODELS['blaze_face_short_range.tflite'].url]);
    expect(progress.at(-1)).toBe(bytes.length);
    expect(sha256File(file)).toBe(VISION_MODELS['blaze_face_short_range.tflite'].sha256);

    const corrupt = (async () => new Response(Buffer.alloc(1000, 1))) as unknown as typeof fetch;
    await expect(resolveModelFile('selfie_segmenter.tflite', { dataDir, env: {}, fetchImpl: corrupt })).rejects.toThrow(/sha256 .* expected 191ac952/);
    expect(fs.existsSync(path.join(dataDir, 'models/mediapipe/selfie_segmenter.tflite'))).toBe(false);
  });

  it('offline with no file: says which file to put where', async () => {
    const dataDir = tempDir('models-offline');
    const offline = (async () => {
      throw new TypeError('fetch failed');
    }) as unknown as typeof fetch;
    const err = await resolveModelFile('face_landmarker.task', { dataDir, env: {}, fetchImpl: offline }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(Error);
    expect((err as Error).message).toContain(VISION_MODELS['face_landmarker.task'].url);
    expect((err as Error).message).toContain(path.join(dataDir, 'models/mediapipe/face_landmarker.task'));
  });
});

describe('chromium discovery', () => {
  it('prefers CHRONOFACE_CHROMIUM, then /usr/bin/chromium', () => {
    expect(findChromium({ CHRONOFACE_CHROMIUM: process.execPath })).toBe(process.execPath);
    expect(() => findChromium({ CHRONOFACE_CHROMIUM: '/nonexistent/chrome' })).toThrow(/CHRONOFACE_CHROMIUM .*does not exist/);
    if (fs.existsSync('/usr/bin/chromium')) expect(findChromium({})).toBe('/usr/bin/chromium');
  });
});

describe('headless vision host', () => {
  const host = visionHostForSuite();

  it('detects one face with 478 landmarks and a score, the same on both pages in parallel', async () => {
    const file = path.join(FGNET_DIR, 'images/005A18.JPG');
    const { data, info } = await sharp(file).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const image = { width: info.width, height: info.height, channels: 3 as const, data };
    const [a, b] = await Promise.all([host.detect(image), host.detect(image)]);
    expect(host.parallelism).toBe(2);
    expect(a.width).toBe(info.width);
    expect(a.faces).toHaveLength(1);
    const face = a.faces[0]!;
    expect(face.points).toHaveLength(478 * 3);
    expect(face.score).toBeGreaterThan(0.7);
    expect(b.faces[0]!.points.slice(0, 30)).toEqual(face.points.slice(0, 30));
    // iris centres inside the face box, left one on the image's left
    const [bx, by, bw, bh] = face.box!;
    const lx = face.points[468 * 3]!;
    const rx = face.points[473 * 3]!;
    expect(lx).toBeLessThan(rx);
    expect(lx).toBeGreaterThan(bx);
    expect(rx).toBeLessThan(bx + bw);
    expect(face.points[468 * 3 + 1]!).toBeGreaterThan(by);
    expect(face.points[468 * 3 + 1]!).toBeLessThan(by + bh);
  });

  it('segments a person: high confidence on the face, low in the corners', async () => {
    const file = path.join(FGNET_DIR, 'images/006A69.JPG');
    const { data } = await sharp(file).resize(256, 256, { fit: 'fill' }).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const res = await host.segment({ width: 256, height: 256, channels: 3, data });
    const mask = res.mask;
    expect([res.width, res.height, mask.length]).toEqual([256, 256, 256 * 256]);
    expect(mask[128 * 256 + 128]).toBeGreaterThan(200);
    expect(mask[5 * 256 + 5]).toBeLessThan(60);
  });

  it('times the models alone on every page at once, and refuses an image it cannot decode', async () => {
    const files = ['005A18.JPG', '006A69.JPG'].map((f) => path.join(FGNET_DIR, 'images', f));
    const images = await Promise.all(
      files.map(async (f) => ({ width: 1, height: 1, encoded: await fs.promises.readFile(f), mime: 'image/jpeg' as const })),
    );
    const res = await host.timeModels(images, 3);
    expect(res).toHaveLength(host.parallelism);
    for (const r of res) {
      expect(r.images).toBe(6);
      // Two MediaPipe models on a 400-pixel photo take milliseconds, not microseconds, and not seconds.
      expect(r.ms / r.images).toBeGreaterThan(2);
      expect(r.ms / r.images).toBeLessThan(2000);
    }
    const broken = { width: 4, height: 4, encoded: Buffer.from('not a jpeg'), mime: 'image/jpeg' as const };
    await expect(host.timeModels([broken], 1)).rejects.toThrow(/decod|source image|InvalidStateError|EncodingError/i);
  });

  it('finds no face in a flat image', async () => {
    const res = await host.detect({ width: 320, height: 240, channels: 3, data: Buffer.alloc(320 * 240 * 3, 90) });
    expect(res.faces).toEqual([]);
  });
});

/** Chromium browser processes (not their helpers) of this test process's hosts. */
function browserPids(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((d) => {
      try {
        const cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
        return cmd.includes(`chronoface-chromium-${process.pid}-`) && !cmd.includes('--type=');
      } catch {
        return false;
      }
    })
    .map(Number);
}

describe('headless vision host failures', () => {
  it('says which Chromium could not start, or that it exited before the pages did', async () => {
    await expect(createChromiumVisionHost({ pages: 1, chromiumPath: '/nonexistent/chromium' })).rejects.toThrow(
      /could not start Chromium at \/nonexistent\/chromium for face detection: spawn \/nonexistent\/chromium ENOENT/,
    );
    await expect(createChromiumVisionHost({ pages: 1, chromiumPath: '/bin/false' })).rejects.toThrow(
      /Chromium at \/bin\/false exited before the vision pages started \(code 1\)/,
    );
  });

  it('fails the calls in flight when Chromium dies, and leaves no profile folder once closed', async () => {
    const before = new Set(browserPids());
    const host = await createChromiumVisionHost({ pages: 1 });
    const mine = browserPids().filter((p) => !before.has(p));
    expect(mine).toHaveLength(1);
    const photo = { width: 1, height: 1, encoded: fs.readFileSync(path.join(FGNET_DIR, 'images/005A18.JPG')), mime: 'image/jpeg' as const };
    expect((await host.detect(photo)).faces).toHaveLength(1);
    const profile = /--user-data-dir=([^\0]+)/.exec(fs.readFileSync(`/proc/${mine[0]}/cmdline`, 'utf8'))![1]!;
    expect(fs.existsSync(profile)).toBe(true);
    // A call that cannot finish before the kill: a million model runs hold the page for hours.
    const inFlight = host.timeModels([photo], 1_000_000);
    process.kill(mine[0]!, 'SIGKILL');
    const lost = await inFlight.catch((e: unknown) => e);
    expect(lost).toBeInstanceOf(Error);
    expect((lost as Error).message).toMatch(/the vision page closed/);
    // Preparation stops the run on it, rather than blaming the image.
    expect(isHostFailure(lost)).toBe(true);
    await expect(host.detect(photo)).rejects.toThrow(/the vision page closed/);
    await host.close();
    expect(fs.existsSync(profile)).toBe(false);
  });
});

describe('vision page server', () => {
  const root = tempDir('vision-server');
  const dist = path.join(root, 'dist');
  fs.mkdirSync(path.join(dist, 'vision'), { recursive: true });
  fs.writeFileSync(path.join(dist, 'vision/index.html'), '<!doctype html><p>page</p>');
  fs.writeFileSync(path.join(root, 'outside.txt'), 'secret');
  const model = path.join(MODELS_DIR, 'blaze_face_short_range.tflite');

  const get = (server: VisionPageServer, rawPath: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> =>
    new Promise((resolve, reject) => {
      const url = new URL(server.origin);
      http
        .get({ host: url.hostname, port: url.port, path: rawPath }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
        })
        .on('error', reject);
    });

  it('serves the page with a policy that reaches only itself, the models by name, and nothing else', async () => {
    const server = await VisionPageServer.start(dist, { 'blaze_face_short_range.tflite': model }, () => undefined);
    try {
      const pagePath = new URL(server.url('vision/index.html')).pathname;
      const base = pagePath.slice(0, -'/vision/index.html'.length);
      expect(base).toMatch(/^\/[0-9a-f]{32}$/);
      const page = await get(server, pagePath);
      expect(page.status).toBe(200);
      expect(page.body.toString()).toContain('page');
      expect(page.headers['content-security-policy']).toContain(`connect-src 'self' ${server.origin.replace('http', 'ws')}`);
      const served = await get(server, `${base}/models/blaze_face_short_range.tflite`);
      expect(served.status).toBe(200);
      expect(served.body.equals(fs.readFileSync(model))).toBe(true);
      expect((await get(server, `${base}/models/face_landmarker.task`)).status).toBe(404);
      expect((await get(server, '/vision/index.html')).status).toBe(404);
      expect((await get(server, `/${'0'.repeat(32)}/vision/index.html`)).status).toBe(404);
      expect((await get(server, `${base}/..%2Foutside.txt`)).status).toBe(403);
      expect(new URL(server.pageUrl()).searchParams.get('socket')).toBe(`${server.origin.replace('http', 'ws')}${base}/socket`);
    } finally {
      await server.close();
    }
  });

  it('opens a socket only at its own path and for its own origin', async () => {
    let sockets = 0;
    const server = await VisionPageServer.start(dist, {}, () => sockets++);
    try {
      const socketUrl = new URL(server.pageUrl()).searchParams.get('socket')!;
      const attempt = (url: string, origin: string): Promise<string> =>
        new Promise((resolve) => {
          const ws = new WebSocket(url, { origin });
          ws.on('open', () => (ws.close(), resolve('open')));
          ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
          ws.on('error', (err) => resolve(err.message));
        });
      expect(await attempt(socketUrl, 'http://evil.example')).toMatch(/403/);
      expect(await attempt(socketUrl.replace(/\/[0-9a-f]{32}\//, `/${'1'.repeat(32)}/`), server.origin)).toMatch(/403/);
      expect(sockets).toBe(0);
      expect(await attempt(socketUrl, server.origin)).toBe('open');
      expect(sockets).toBe(1);
    } finally {
      await server.close();
    }
  });
});
