/**
 * One ipcMain.handle per contract method. Each handler checks that the sender is the studio page (its frame URL is the
 * app's own page), validates the request against the contract, and answers with the wire envelope.
 */
import { ApiError, channelOf, EVENT_CHANNEL, HOST_METHODS, METHODS, type Envelope, type HostMethod, type MethodName, type RequestOf, type ResponseOf, type ServiceMethod } from '../contract/api.js';
import { ELECTRON_APP_ORIGIN, electronFileUrl, resolveFiles } from '../contract/files.js';
import { validateRequest } from '../contract/validate.js';
import { toApiError } from '../app/errors.js';
import type { StudioService } from '../app/service.js';

/** The renderer pages allowed to call the API. */
export const TRUSTED_PAGES = [`${ELECTRON_APP_ORIGIN}/index.html`, `${ELECTRON_APP_ORIGIN}/`];

/** The sender check: the calling frame is the top frame of the studio page, served by the app's own protocol. */
export function isTrustedSenderUrl(url: string | undefined | null): boolean {
  if (!url) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  const page = `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  return TRUSTED_PAGES.includes(page);
}

/** The subset of an IpcMainInvokeEvent the check reads. */
export interface InvokeEventLike {
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
}

export type HostHandlers = { [M in HostMethod]: (request: RequestOf<M>) => Promise<ResponseOf<M>> };

export function checkSender(event: InvokeEventLike): void {
  const frame = event.senderFrame;
  if (!frame || frame.parent || !isTrustedSenderUrl(frame.url)) {
    throw new ApiError('unauthorized', `IPC refused from ${frame ? frame.url || 'an unnamed frame' : 'a destroyed frame'}`);
  }
}

/** Registers every contract method; returns a function that removes them. */
export function registerIpc(ipcMain: IpcMainLike, service: StudioService, host: HostHandlers): () => void {
  for (const method of METHODS) {
    ipcMain.handle(channelOf(method), async (event, ...args): Promise<Envelope<MethodName>> => {
      try {
        checkSender(event);
        if (args.length > 1) throw new ApiError('invalid-argument', `${method} takes one request object`);
        const request = validateRequest(method, args[0]);
        if ((HOST_METHODS as readonly string[]).includes(method)) {
          const fn = host[method as HostMethod] as (r: unknown) => Promise<unknown>;
          return { ok: true, result: (await fn(request)) as never };
        }
        const result = await service.call(method as ServiceMethod, request as never);
        return { ok: true, result: resolveFiles(result as never, electronFileUrl) };
      } catch (err) {
        const e = toApiError(err);
        return { ok: false, error: { code: e.code, message: e.message } };
      }
    });
  }
  return () => {
    for (const method of METHODS) ipcMain.removeHandler(channelOf(method));
  };
}

export interface WebContentsLike {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/** Forwards every service event to the studio window, with file URLs resolved for chronoface://. */
export function forwardEvents(service: StudioService, target: () => WebContentsLike | null): () => void {
  return service.onEvent((event) => {
    const wc = target();
    if (wc && !wc.isDestroyed()) wc.send(EVENT_CHANNEL, resolveFiles(event as never, electronFileUrl));
  });
}
