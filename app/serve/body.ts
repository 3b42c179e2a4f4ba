/** Request bodies with a size cap: refused from Content-Length before reading, or as soon as the cap is passed. */
import type http from 'node:http';

export class BodyTooLarge extends Error {
  constructor(readonly limit: number) {
    super(`the request body is larger than ${limit / 1024 / 1024} MB`);
  }
}

export function declaredTooLarge(req: http.IncomingMessage, limit: number): boolean {
  return Number(req.headers['content-length'] ?? 0) > limit;
}

/**
 * Rejects with BodyTooLarge once the body passes `limit`; the rest of it is then read and dropped, so that the client
 * (still sending) gets the 413 instead of a reset connection, and the connection stays usable. `onGrow` sees the
 * size read so far; what it throws ends the read the same way.
 */
export function readBody(req: http.IncomingMessage, limit: number, onGrow?: (size: number) => void): Promise<Buffer> {
  if (declaredTooLarge(req, limit)) return Promise.reject(new BodyTooLarge(limit));
  if (req.destroyed) return Promise.reject(new Error('the client closed the request'));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      let refused: unknown = size > limit ? new BodyTooLarge(limit) : null;
      try {
        onGrow?.(size);
      } catch (err) {
        refused ??= err;
      }
      if (!refused) {
        chunks.push(chunk);
        return;
      }
      req.off('data', onData);
      req.resume();
      chunks.length = 0;
      reject(refused);
    };
    req.on('data', onData);
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Too many large bodies are being handled at once: answered 503, to be tried again shortly. */
export class TooManyLarge extends Error {}
