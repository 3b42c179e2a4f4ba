import { ApiError, METHODS, unwrap, type ApiEvent, type ChronofaceApi, type MethodName } from '../../../../contract/api.js';
import {
  apiPath,
  EVENTS_PATH,
  TOKEN_HEADER,
  UPLOAD_CONTENT_TYPE,
  UPLOAD_NAME_QUERY,
  type WireResponse,
} from '../../../../contract/wire.js';

type Listener = (event: ApiEvent) => void;

function base64ToBytes(base64: string): Uint8Array<ArrayBuffer> {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/**
 * The browser-mode API: POST /api/<method> with the page's token in a header, events over one shared EventSource.
 * A photo given as bytes (agePhotoAdd's dataBase64) travels as raw bytes, not inside JSON.
 */
export function createHttpApi(token: string, base = ''): ChronofaceApi {
  const listeners = new Set<Listener>();
  let source: EventSource | null = null;

  const emit = (event: ApiEvent): void => {
    for (const l of listeners) l(event);
  };

  const ensureEvents = (): void => {
    if (source) return;
    // The page's cookie authenticates the stream (EventSource cannot set headers).
    source = new EventSource(`${base}${EVENTS_PATH}`);
    let lost = false;
    source.onerror = () => {
      lost = true;
    };
    source.onopen = () => {
      if (!lost) return;
      lost = false;
      // Events may have been dropped meanwhile (a stream that fell behind is closed by the server): reload lists.
      for (const what of ['datasets', 'crops', 'runs', 'models'] as const) emit({ type: 'catalogue.changed', what });
    };
    source.onmessage = (msg: MessageEvent<string>) => {
      let event: ApiEvent;
      try {
        event = JSON.parse(msg.data) as ApiEvent;
      } catch {
        return;
      }
      emit(event);
    };
  };

  const post = async (path: string, contentType: string, body: BodyInit): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': contentType, [TOKEN_HEADER]: token }, body });
    } catch (err) {
      throw new ApiError('failed', `Cannot reach the Chronoface server: ${(err as Error).message}`);
    }
    let answer: WireResponse<MethodName>;
    try {
      answer = (await res.json()) as WireResponse<MethodName>;
    } catch {
      throw new ApiError(res.status === 401 ? 'unauthorized' : 'failed', `The server answered ${res.status} ${res.statusText} without a readable body`);
    }
    return unwrap(answer);
  };

  const call = (method: MethodName, request: unknown): Promise<unknown> => {
    const photo = request as { name?: unknown; dataBase64?: unknown } | undefined;
    if (method === 'agePhotoAdd' && typeof photo?.name === 'string' && typeof photo.dataBase64 === 'string') {
      const path = `${apiPath(method)}?${UPLOAD_NAME_QUERY}=${encodeURIComponent(photo.name)}`;
      return post(path, UPLOAD_CONTENT_TYPE, base64ToBytes(photo.dataBase64));
    }
    return post(apiPath(method), 'application/json', JSON.stringify(request ?? {}));
  };

  const api: Record<string, unknown> = {
    onEvent(listener: Listener): () => void {
      listeners.add(listener);
      ensureEvents();
      return () => listeners.delete(listener);
    },
  };
  for (const m of METHODS) api[m] = (request: unknown) => call(m, request);
  return api as ChronofaceApi;
}
