import fs from 'node:fs';
import path from 'node:path';

export const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.jpe': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.avif': 'image/avif',
  '.bmp': 'image/bmp',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
  '.task': 'application/octet-stream',
  '.tflite': 'application/octet-stream',
  '.bin': 'application/octet-stream',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

export class PathRefused extends Error {
  override readonly name = 'PathRefused';
}

/**
 * The absolute file for a '/'-separated path relative to `root`, or PathRefused: absolute paths, drive letters,
 * backslashes, `..` and `.` segments, hidden segments, NUL, and anything that resolves (symlinks included) outside root.
 * `decoded` must already be URL-decoded.
 */
export function resolveInside(root: string, decoded: string, opts: { allowTopLevelFiles?: boolean } = {}): string {
  if (decoded.length === 0) throw new PathRefused('empty path');
  if (decoded.includes('\0')) throw new PathRefused('NUL in path');
  if (decoded.includes('\\')) throw new PathRefused('backslash in path');
  if (decoded.startsWith('/') || /^[a-zA-Z]:/.test(decoded) || path.isAbsolute(decoded)) throw new PathRefused('absolute path');
  const segments = decoded.split('/');
  for (const s of segments) {
    if (s === '..' || s === '.' || s === '') throw new PathRefused(`path segment "${s}" refused`);
    if (s.startsWith('.')) throw new PathRefused('hidden path segment refused');
  }
  if (segments.length < 2 && !opts.allowTopLevelFiles) throw new PathRefused('only files inside the data folders are served');
  const base = path.resolve(root);
  const abs = path.resolve(base, ...segments);
  if (!abs.startsWith(base + path.sep)) throw new PathRefused('outside the root');
  if (fs.existsSync(abs)) {
    const real = fs.realpathSync(abs);
    const realBase = fs.realpathSync(base);
    if (!real.startsWith(realBase + path.sep)) throw new PathRefused('a link leads outside the root');
  }
  return abs;
}

/** Decodes a URL path (after the route prefix) or throws PathRefused on malformed escapes. */
export function decodeUrlPath(encoded: string): string {
  try {
    return decodeURIComponent(encoded);
  } catch {
    throw new PathRefused('malformed URL escape');
  }
}
