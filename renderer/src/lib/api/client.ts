import { ApiError, type ChronofaceApi, type ChronofaceBridge } from '../../../../contract/api.js';
import { TOKEN_META } from '../../../../contract/wire.js';
import { createBridgeApi } from './bridge.js';
import { createHttpApi } from './http.js';

declare global {
  interface Window {
    chronoface?: ChronofaceBridge;
  }
}

let instance: ChronofaceApi | null = null;

/** The one API object: Electron's preload bridge when present, else the browser mode's HTTP client. */
export function api(): ChronofaceApi {
  if (instance) return instance;
  if (window.chronoface) {
    instance = createBridgeApi(window.chronoface);
  } else {
    // The server puts the token in the page it serves; it never stays in the page's URL.
    const token = document.querySelector<HTMLMetaElement>(`meta[name="${TOKEN_META}"]`)?.content ?? '';
    instance = createHttpApi(token);
  }
  return instance!;
}

/** Filesystem path of a dropped File, when the transport can give one (Electron). */
export function pathForFile(file: File): string | null {
  return window.chronoface?.pathForFile(file) ?? null;
}

/** A readable message for anything thrown by an API call. */
export function errorMessage(err: unknown): string {
  if (err instanceof ApiError) return err.message;
  if (err && typeof err === 'object' && 'message' in err) return String((err as { message: unknown }).message);
  return String(err);
}

export function errorCode(err: unknown): string | null {
  return err && typeof err === 'object' && 'code' in err ? String((err as { code: unknown }).code) : null;
}
