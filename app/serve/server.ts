/**
 * The browser mode: the studio renderer, the API (POST /api/<method>), its events (SSE) and the data directory's
 * files over HTTP on 127.0.0.1 only, every request gated by a random token. See contract/wire.ts.
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pipeline } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { ApiError, HOST_METHODS, type ApiErrorCode, type ApiEvent, type MethodName, type ServiceMethod } from '../../contract/api.js';
import { browserFileUrl, resolveFiles, type FileRef } from '../../contract/files.js';
import { isMethodName, validateRequest } from '../../contract/validate.js';
import {
  API_PREFIX,
  EVENTS_PATH,
  FILES_PREFIX,
  statusOf,
  TOKEN_COOKIE,
  TOKEN_META,
  TOKEN_QUERY,
  UPLOAD_CONTENT_TYPE,
  UPLOAD_NAME_QUERY,
} from '../../contract/wire.js';
import { BROWSER_CSP, DATA_FILE_CSP } from '../csp.js';
import { toApiError } from '../errors.js';
import { contentTypeOf, decodeUrlPath, PathRefused, resolveInside } from '../files.js';
import { MAX_PHOTO_BYTES } from '../photos.js';
import { createStudioService, type StudioService, type StudioServiceOptions } from '../service.js';
import { readSourceImage } from '../source-image.js';
import { BodyTooLarge, declaredTooLarge, readBody, TooManyLarge } from './body.js';
import { EventStream } from './event-stream.js';
import { givenToken, loopbackHost, sameOrigin, sameToken, type Route } from './gate.js';
import { Slots } from './slots.js';

export const LOOPBACK = '127.0.0.1';
export const MAX_BODY_BYTES = 64 * 1024 * 1024;
export const PHOTO_UPLOADS_AT_ONCE = 2;
/** A JSON body above this is large: at most LARGE_BODIES_AT_ONCE are read and handled at once, others get 503. */
export const LARGE_BODY_BYTES = 1024 * 1024;
export const LARGE_BODIES_AT_ONCE = 2;
/** Seconds a client refused for too many large requests is told to wait. */
const RETRY_AFTER_S = 2;
const KEEPALIVE_MS = 15_000;
const IMAGES_PREFIX = '/images/';

export interface ServeOptions {
  dataDir: string;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default: 32 random bytes, hex. */
  token?: string;
  /** Folder of the built renderer (index.html, assets/). Default: dist/renderer found upward, or CHRONOFACE_RENDERER_DIR. */
  rendererDir?: string;
  /** Inject a service (tests); otherwise one is created over dataDir and closed with the server. */
  service?: StudioService;
  serviceOptions?: Omit<StudioServiceOptions, 'dataDir' | 'transport'>;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly token: string;
  readonly service: StudioService;
  /** Photo uploads being processed and waiting for their turn. */
  readonly uploads: { readonly running: number; readonly waiting: number };
  /** Large JSON bodies being read and handled. */
  readonly largeBodies: { readonly running: number };
  /** Open event streams. */
  readonly eventStreams: ReadonlySet<EventStream>;
  close(): Promise<void>;
}

/** dist/renderer holding the studio page, or null when it is not built. */
export function findRendererDir(env: NodeJS.ProcessEnv = process.env): string | null {
  if (env.CHRONOFACE_RENDERER_DIR) return path.resolve(env.CHRONOFACE_RENDERER_DIR);
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 7; i++) {
    const candidate = path.join(dir, 'dist/renderer');
    if (fs.existsSync(path.join(candidate, 'index.html'))) return candidate;
    dir = path.dirname(dir);
  }
  return null;
}

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'SAMEORIGIN',
};

function send(res: http.ServerResponse, status: number, body: string | Buffer, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...SECURITY_HEADERS, 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

function sendJson(res: http.ServerResponse, status: number, value: unknown): void {
  send(res, status, JSON.stringify(value), { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
}

function sendError(res: http.ServerResponse, code: ApiErrorCode, message: string): void {
  sendJson(res, statusOf(code), { ok: false, error: { message, code } });
}

export async function startServer(opts: ServeOptions): Promise<RunningServer> {
  const token = opts.token ?? randomBytes(32).toString('hex');
  const ownService = !opts.service;
  const service = opts.service ?? createStudioService({ ...opts.serviceOptions, dataDir: opts.dataDir, transport: 'browser', canUseDialogs: false });
  const dataDir = service.dataDir;
  const rendererDir = opts.rendererDir ?? findRendererDir();
  const toUrl = (ref: FileRef) => browserFileUrl(ref);
  const streams = new Map<http.ServerResponse, EventStream>();

  const uploads = new Slots(PHOTO_UPLOADS_AT_ONCE);
  const largeBodies = new Slots(LARGE_BODIES_AT_ONCE);

  const callWithJson = async (method: ServiceMethod, req: http.IncomingMessage, onGrow: (size: number) => void): Promise<unknown> => {
    const raw = await readBody(req, MAX_BODY_BYTES, onGrow);
    let body: unknown = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8'));
      } catch {
        throw new ApiError('invalid-argument', 'the request body is not valid JSON');
      }
    }
    return service.call(method, validateRequest(method, body) as never);
  };

  const handleApi = async (method: string, url: URL, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return sendError(res, 'invalid-argument', 'API calls are POST requests');
    if (!isMethodName(method)) return sendError(res, 'not-found', `no API method "${method}"`);
    if ((HOST_METHODS as readonly MethodName[]).includes(method)) {
      return sendError(res, 'unsupported', `${method} needs the desktop app; the browser mode has no native dialogs`);
    }
    const upload = req.headers['content-type']?.split(';')[0]!.trim().toLowerCase() === UPLOAD_CONTENT_TYPE;
    const name = url.searchParams.get(UPLOAD_NAME_QUERY) ?? '';
    if (upload && method !== 'agePhotoAdd') return sendError(res, 'invalid-argument', `${method} takes JSON; only agePhotoAdd takes raw bytes`);
    if (upload && (name.length < 1 || name.length > 255)) {
      return sendError(res, 'invalid-argument', `agePhotoAdd.${UPLOAD_NAME_QUERY}: a file name of 1 to 255 characters is required`);
    }
    const limit = upload ? MAX_PHOTO_BYTES : MAX_BODY_BYTES;
    let release = (): void => undefined;
    // A JSON body takes a large-body slot once it is known to pass LARGE_BODY_BYTES (declared, or as it is read).
    let largeSlot: (() => void) | null = null;
    const onGrow = (size: number): void => {
      if (size <= LARGE_BODY_BYTES || largeSlot) return;
      largeSlot = largeBodies.tryAcquire();
      if (!largeSlot) {
        throw new TooManyLarge(
          `too many large requests at once: ${LARGE_BODIES_AT_ONCE} bodies over ${LARGE_BODY_BYTES / 1024 / 1024} MB are being handled; try again in ${RETRY_AFTER_S} s`,
        );
      }
    };
    try {
      if (declaredTooLarge(req, limit)) throw new BodyTooLarge(limit);
      if (!upload) onGrow(Number(req.headers['content-length'] ?? 0));
      if (method === 'agePhotoAdd') release = await uploads.acquire();
      const result = upload ? await service.addPhoto(name, await readBody(req, limit)) : await callWithJson(method as ServiceMethod, req, onGrow);
      sendJson(res, 200, { ok: true, result: resolveFiles(result as never, toUrl) });
    } catch (err) {
      if (res.headersSent) return;
      if (err instanceof BodyTooLarge) return sendJson(res, 413, { ok: false, error: { code: 'invalid-argument', message: err.message } });
      if (err instanceof TooManyLarge) {
        // Read and dropped, so that the client (still sending) gets the answer rather than a reset connection.
        req.resume();
        res.setHeader('retry-after', String(RETRY_AFTER_S));
        return sendJson(res, 503, { ok: false, error: { code: 'busy', message: err.message } });
      }
      const e = toApiError(err);
      sendError(res, e.code, e.message);
    } finally {
      release();
      (largeSlot as (() => void) | null)?.();
    }
  };

  const handleEvents = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('retry: 2000\n\n');
    const stream = new EventStream(res);
    streams.set(res, stream);
    const off = service.onEvent((event) => {
      const wire = resolveFiles(event as never, toUrl) as ApiEvent;
      stream.push(wire, `data: ${JSON.stringify(wire)}\n\n`);
    });
    const keepalive = setInterval(() => stream.comment('keepalive'), KEEPALIVE_MS);
    const end = (): void => {
      clearInterval(keepalive);
      off();
      streams.delete(res);
    };
    req.on('close', end);
    res.on('close', end);
  };

  const handleFile = async (encoded: string, res: http.ServerResponse): Promise<void> => {
    let file: string;
    try {
      file = resolveInside(dataDir, decodeUrlPath(encoded));
    } catch (err) {
      if (err instanceof PathRefused) return send(res, 403, `refused: ${err.message}`, { 'content-type': 'text/plain; charset=utf-8' });
      throw err;
    }
    let handle: fs.promises.FileHandle | undefined;
    let size = 0;
    try {
      // The stat first: opening a FIFO would block. The size is the opened file's, which may have replaced it since.
      if ((await fs.promises.stat(file)).isFile()) {
        handle = await fs.promises.open(file, 'r');
        size = (await handle.stat()).size;
      }
    } catch {
      await handle?.close();
      handle = undefined;
    }
    if (!handle) return send(res, 404, 'not found', { 'content-type': 'text/plain; charset=utf-8' });
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': contentTypeOf(file),
      'content-length': String(size),
      'cache-control': 'private, no-cache',
      'content-security-policy': DATA_FILE_CSP,
    });
    // On a read error or a client that goes away, pipeline destroys both streams; there is nothing left to answer.
    pipeline(handle.createReadStream(), res, () => undefined);
  };

  const handleImage = async (idText: string, res: http.ServerResponse): Promise<void> => {
    const id = /^\d{1,15}$/.test(idText) ? Number(idText) : NaN;
    const file = Number.isSafeInteger(id) ? service.sourceImageFile(id) : undefined;
    if (!file || !fs.existsSync(file)) return send(res, 404, 'not found', { 'content-type': 'text/plain; charset=utf-8' });
    const { body, contentType } = await readSourceImage(file);
    send(res, 200, body, { 'content-type': contentType, 'cache-control': 'private, max-age=3600' });
  };

  const handleStatic = async (pathname: string, res: http.ServerResponse): Promise<void> => {
    if (!rendererDir) {
      return send(res, 503, 'The studio page is not built: run `npm run build:renderer`. The API works.', { 'content-type': 'text/plain; charset=utf-8' });
    }
    const rel = pathname === '/' ? 'index.html' : decodeUrlPath(pathname.slice(1));
    let file: string;
    try {
      file = resolveInside(rendererDir, rel, { allowTopLevelFiles: true });
    } catch (err) {
      if (err instanceof PathRefused) return send(res, 403, `refused: ${err.message}`, { 'content-type': 'text/plain; charset=utf-8' });
      throw err;
    }
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) return send(res, 404, 'not found', { 'content-type': 'text/plain; charset=utf-8' });
    const headers: Record<string, string> = { 'content-type': contentTypeOf(file), 'cache-control': 'no-cache' };
    if (!file.endsWith('.html')) return send(res, 200, await fs.promises.readFile(file), headers);
    // The page learns the token for its API header from the page itself, never from its URL.
    const html = (await fs.promises.readFile(file, 'utf8')).replace('<head>', `<head>\n    <meta name="${TOKEN_META}" content="${token}">`);
    send(res, 200, html, { ...headers, 'content-security-policy': BROWSER_CSP, 'cache-control': 'no-store' });
  };

  /** The printed URL's ?token=: the cookie is set, and the page is loaded again without the token in its URL. */
  const acceptToken = (url: URL, res: http.ServerResponse): void => {
    url.searchParams.delete(TOKEN_QUERY);
    res.writeHead(303, {
      ...SECURITY_HEADERS,
      location: `${url.pathname}${url.search}`,
      'set-cookie': `${TOKEN_COOKIE}=${token}; HttpOnly; SameSite=Strict; Path=/`,
      'cache-control': 'no-store',
      'content-length': '0',
    });
    res.end();
  };

  const server = http.createServer((req, res) => {
    void (async () => {
      if (!loopbackHost(req.headers.host)) return send(res, 403, 'refused: the Host header must be 127.0.0.1 or localhost');
      const rawPath = (req.url ?? '/').split('?')[0]!;
      // The URL parser would fold `..` away; a request that carries one is refused outright.
      if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(rawPath) || rawPath.includes('\\') || /%5c|%00/i.test(rawPath)) {
        return send(res, 403, 'refused: path traversal', { 'content-type': 'text/plain; charset=utf-8' });
      }
      if (!sameOrigin(req)) return send(res, 403, 'refused: foreign origin', { 'content-type': 'text/plain; charset=utf-8' });
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      const isApi = url.pathname.startsWith(API_PREFIX);
      const route: Route =
        url.pathname === EVENTS_PATH ? 'events' : isApi ? 'api' : url.pathname.startsWith(FILES_PREFIX) || url.pathname.startsWith(IMAGES_PREFIX) ? 'data' : 'page';
      if (!sameToken(givenToken(req, url, route), token)) {
        if (isApi) return sendError(res, 'unauthorized', 'missing or wrong token: open the URL that `chronoface serve` printed');
        return send(res, 401, 'Unauthorized: open the URL that `chronoface serve` printed (it carries the token).', { 'content-type': 'text/plain; charset=utf-8' });
      }
      if (url.pathname === EVENTS_PATH) return handleEvents(req, res);
      if (isApi) return handleApi(url.pathname.slice(API_PREFIX.length), url, req, res);
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed');
      if (url.pathname.startsWith(FILES_PREFIX)) return handleFile(url.pathname.slice(FILES_PREFIX.length), res);
      if (url.pathname.startsWith(IMAGES_PREFIX)) return handleImage(url.pathname.slice(IMAGES_PREFIX.length), res);
      if (url.searchParams.has(TOKEN_QUERY)) return acceptToken(url, res);
      return handleStatic(url.pathname, res);
    })().catch((err: unknown) => {
      const e = toApiError(err);
      if (!res.headersSent) send(res, 500, e.message, { 'content-type': 'text/plain; charset=utf-8' });
      else res.destroy();
    });
  });

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? 0, LOOPBACK, () => resolve());
    });
  } catch (err) {
    if (ownService) await service.close();
    if ((err as { code?: string }).code === 'EADDRINUSE') throw new Error(`port ${opts.port} on 127.0.0.1 is in use: choose another with --port, or leave it out for a free one`);
    throw err;
  }
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${LOOPBACK}:${port}/?${TOKEN_QUERY}=${token}`,
    port,
    token,
    service,
    uploads,
    largeBodies,
    get eventStreams() {
      return new Set(streams.values());
    },
    async close() {
      for (const s of streams.keys()) s.end();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      if (ownService) await service.close();
    },
  };
}
