import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';

const MIME: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
  '.css': 'text/css',
  '.json': 'application/json',
};

/**
 * The headless vision pages' own server on the loopback interface: the built renderer (the page, its scripts,
 * MediaPipe's wasm), the models, and a WebSocket per page for its calls. Everything sits under a random path, and
 * the socket also wants the server's own origin, so nothing else on the machine can pose as a page or fetch its work.
 * A loopback origin is a secure context (WebCodecs) and may open sockets to itself.
 */
export class VisionPageServer {
  readonly origin: string;
  private readonly base: string;
  private readonly sockets = new WebSocketServer({ noServer: true, perMessageDeflate: false, maxPayload: 256 * 1024 * 1024 });

  private constructor(
    private readonly server: http.Server,
    private readonly distDir: string,
    private readonly models: Readonly<Record<string, string>>,
    private readonly onSocket: (socket: WebSocket) => void,
  ) {
    const { port } = server.address() as AddressInfo;
    this.origin = `http://127.0.0.1:${port}`;
    this.base = `/${crypto.randomBytes(16).toString('hex')}`;
    server.on('request', (req, res) => this.serve(req, res));
    server.on('upgrade', (req, socket, head) => {
      if (req.url !== `${this.base}/socket` || req.headers.origin !== this.origin) {
        socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
        return;
      }
      this.sockets.handleUpgrade(req, socket, head, (ws) => this.onSocket(ws));
    });
  }

  /** models: file name -> path, served at <base>/models/<name>. */
  static async start(distDir: string, models: Readonly<Record<string, string>>, onSocket: (socket: WebSocket) => void): Promise<VisionPageServer> {
    const server = http.createServer();
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return new VisionPageServer(server, distDir, models, onSocket);
  }

  /** Where a page or a model is served. */
  url(rel: string): string {
    return `${this.origin}${this.base}/${rel}`;
  }

  /** The vision page, told to send its frames over the socket. */
  pageUrl(): string {
    const socket = `${this.origin.replace(/^http/, 'ws')}${this.base}/socket`;
    return `${this.url('vision/index.html')}?socket=${encodeURIComponent(socket)}`;
  }

  /** The page reaches nothing but this server. */
  private pagePolicy(): string {
    return [
      "default-src 'self'",
      "script-src 'self' 'wasm-unsafe-eval'",
      `connect-src 'self' ${this.origin.replace(/^http/, 'ws')}`,
      "img-src 'self' data: blob:",
      "worker-src 'self' blob:",
      "object-src 'none'",
      "base-uri 'none'",
    ].join('; ');
  }

  async close(): Promise<void> {
    for (const ws of this.sockets.clients) ws.terminate();
    this.sockets.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private serve(req: http.IncomingMessage, res: http.ServerResponse): void {
    const pathname = new URL(req.url ?? '/', this.origin).pathname;
    const answer = (status: number, body: string): void => {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(body);
    };
    if (req.method !== 'GET' || !pathname.startsWith(`${this.base}/`)) return answer(404, 'not found');
    let rel: string;
    try {
      rel = decodeURIComponent(pathname.slice(this.base.length + 1));
    } catch {
      return answer(400, 'bad path');
    }
    let file: string | undefined;
    if (rel.startsWith('models/')) {
      file = this.models[rel.slice('models/'.length)];
    } else {
      file = path.resolve(this.distDir, rel);
      if (!file.startsWith(this.distDir + path.sep)) return answer(403, 'forbidden');
    }
    const stat = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    if (!file || !stat?.isFile()) return answer(404, 'not found');
    const headers: http.OutgoingHttpHeaders = {
      'content-type': MIME[path.extname(file)] ?? 'application/octet-stream',
      'content-length': stat.size,
      'cache-control': 'no-store',
    };
    if (file.endsWith('.html')) headers['content-security-policy'] = this.pagePolicy();
    res.writeHead(200, headers);
    fs.createReadStream(file).pipe(res);
  }
}
