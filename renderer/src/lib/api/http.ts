import { ApiError, METHODS, unwrap, type ApiEvent, type ChronofaceApi, type MethodName } from '../../../../contract/api.js';
import { apiPath, EVENTS_PATH, TOKEN_HEADER, TOKEN_QUERY, type WireResponse } from '../../../../contract/wire.js';

type Listener = (event: ApiEvent) => void;

/** The browser-mode API: POST /api/<method> with the page's token, events over one shared EventSource. */
export function createHttpApi(token: string, base = ''): ChronofaceApi {
  const listeners = new Set<Listener>();
  let source: EventSource | null = null;

  const ensureEvents = (): void => {
    if (source) return;
    source = new EventSource(`${base}${EVENTS_PATH}?${TOKEN_QUERY}=${encodeURIComponent(token)}`);
    source.onmessage = (msg: MessageEvent<string>) => {
      let event: ApiEvent;
      try {
        event = JSON.parse(msg.data) as ApiEvent;
      } catch {
        return;
      }
      for (const l of listeners) l(event);
    };
  };

  const call = async (method: MethodName, request: unknown): Promise<unknown> => {
    let res: Response;
    try {
      res = await fetch(`${base}${apiPath(method)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [TOKEN_HEADER]: token },
        body: JSON.stringify(request ?? {}),
      });
    } catch (err) {
      throw new ApiError('failed', `Cannot reach the Chronoface server: ${(err as Error).message}`);
    }
    let body: WireResponse<MethodName>;
    try {
      body = (await res.json()) as WireResponse<MethodName>;
    } catch {
      throw new ApiError(res.status === 401 ? 'unauthorized' : 'failed', `The server answered ${res.status} ${res.statusText} without a readable body`);
    }
    return unwrap(body);
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
