/**
 * The chronoface:// protocol. Hosts:
 *   app      the built renderer (studio page, vision page), from dist/renderer
 *   files    files of the data directory (crops, grids, outputs, uploads): never `..`, never an absolute path
 *   images   the source photo of a catalogue image, by id
 *   models   the MediaPipe model files the vision page loads
 * A pure function of a Request, so that it is tested without Electron.
 */
import fs from 'node:fs';
import { DATA_FILE_CSP, ELECTRON_CSP, VISION_CSP } from '../app/csp.js';
import { contentTypeOf, decodeUrlPath, PathRefused, resolveInside } from '../app/files.js';
import { readSourceImage } from '../app/source-image.js';

export interface ProtocolDeps {
  dataDir: string;
  rendererDir: string;
  sourceImageFile(imageId: number): string | undefined;
  /** The resolved file of a vision model by name, or undefined. */
  modelFile(name: string): string | undefined;
}

const text = (status: number, body: string): Response => new Response(body, { status, headers: { 'content-type': 'text/plain; charset=utf-8' } });

async function fileResponse(file: string, headers: Record<string, string> = {}): Promise<Response> {
  let stat;
  try {
    stat = await fs.promises.stat(file);
  } catch {
    return text(404, 'not found');
  }
  if (!stat.isFile()) return text(404, 'not found');
  const body = await fs.promises.readFile(file);
  return new Response(body, { status: 200, headers: { 'content-type': contentTypeOf(file), 'x-content-type-options': 'nosniff', ...headers } });
}

/** Raw path of a chronoface:// URL (before the URL parser folds `..`). */
function rawPathOf(url: string): string {
  const rest = url.replace(/^chronoface:\/\/[^/]*/i, '');
  return rest.split(/[?#]/)[0] ?? '';
}

export function createProtocolHandler(deps: ProtocolDeps): (request: Request) => Promise<Response> {
  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return text(405, 'method not allowed');
    const raw = rawPathOf(request.url);
    if (/(^|\/)(\.|%2e){1,2}(\/|$)/i.test(raw) || raw.includes('\\') || /%5c|%00/i.test(raw)) return text(403, 'refused: path traversal');
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return text(400, 'bad URL');
    }
    const rel = url.pathname.replace(/^\/+/, '');
    try {
      switch (url.host) {
        case 'app': {
          const file = resolveInside(deps.rendererDir, rel === '' ? 'index.html' : decodeUrlPath(rel), { allowTopLevelFiles: true });
          const csp: Record<string, string> = file.endsWith('.html') ? { 'content-security-policy': rel.startsWith('vision/') ? VISION_CSP : ELECTRON_CSP } : {};
          return await fileResponse(file, csp);
        }
        case 'files': {
          if (url.pathname.startsWith('//')) return text(403, 'refused: absolute path');
          return await fileResponse(resolveInside(deps.dataDir, decodeUrlPath(rel)), { 'content-security-policy': DATA_FILE_CSP });
        }
        case 'images': {
          const id = /^\d{1,15}$/.test(rel) ? Number(rel) : NaN;
          const file = Number.isSafeInteger(id) ? deps.sourceImageFile(id) : undefined;
          if (!file || !fs.existsSync(file)) return text(404, 'not found');
          const { body, contentType } = await readSourceImage(file);
          return new Response(body, { status: 200, headers: { 'content-type': contentType } });
        }
        case 'models': {
          const file = deps.modelFile(decodeUrlPath(rel));
          return file ? await fileResponse(file) : text(404, 'no such model');
        }
        default:
          return text(404, 'unknown host');
      }
    } catch (err) {
      if (err instanceof PathRefused) return text(403, `refused: ${err.message}`);
      return text(500, (err as Error).message);
    }
  };
}
