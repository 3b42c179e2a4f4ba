import http from 'node:http';

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  bytes: Buffer;
  body: string;
}

export interface RequestOptions {
  method?: string;
  headers?: Record<string, string>;
  /** Sent chunked unless headers carry content-length. */
  body?: string | Buffer;
}

/**
 * A raw request to 127.0.0.1:port. Node's client sends the path as given (no `..` folding), like a hostile client
 * would. Resolves once the whole answer has arrived and the request is done (its body sent, even when the server
 * answered before reading it); rejects when the connection fails before the answer.
 */
export function request(port: number, rawPath: string, opts: RequestOptions = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    let reply: Reply | undefined;
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: opts.method ?? 'GET', headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => {
        const bytes = Buffer.concat(chunks);
        reply = { status: res.statusCode ?? 0, headers: res.headers, bytes, body: bytes.toString() };
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.on('close', () => (reply ? resolve(reply) : reject(new Error(`${rawPath}: the connection closed before a complete answer`))));
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}
