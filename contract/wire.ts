/**
 * The browser mode's HTTP wire format (app/serve implements the server, renderer/src the client).
 *   POST /api/<method>   body: the request as JSON      -> 200 {ok:true,result} | 4xx/5xx {ok:false,error:{message,code}}
 *   POST /api/agePhotoAdd?name=<file name>   content-type application/octet-stream, body: the photo's bytes
 *                        -> the same answer as agePhotoAdd({ name, dataBase64 }); at most two uploads run at once
 *   GET  /api/events     text/event-stream; each message `data: <ApiEvent JSON>`; a comment line every 15 s keeps it open
 *   GET  /files/<relative path>   a file of the data directory
 *   GET  /, /index.html, /assets/... the studio renderer bundle
 * Bodies over their cap (64 MB of JSON, 48 MB of photo) are answered 413 {ok:false,error} without being kept.
 * JSON bodies over 1 MB (declared, or once read so far) are large: beyond two at once, 503 {ok:false,error:{code:'busy'}}
 * with Retry-After.
 * Token: API calls send header `x-chronoface-token`. The page loaded with `?token=` (the URL `chronoface serve` prints)
 * is answered 303 to the same page without it, setting the `chronoface_token` cookie (HttpOnly, SameSite=Strict); the
 * page carries the token in <meta name="chronoface-token"> for its API header. /api/events, pages, /files/ and
 * /images/ take the header or the cookie, never a token in the URL. The API never accepts the cookie. Anything
 * without: 401. Origin: a request that carries one is refused (403) unless it is exactly http://<its Host header>.
 * Events: a client that stops reading has its progress events coalesced and is disconnected 1,000 events behind.
 */
import type { ApiErrorCode, ApiEvent, Envelope, MethodName } from './api.js';

export const TOKEN_HEADER = 'x-chronoface-token';
export const TOKEN_QUERY = 'token';
export const TOKEN_COOKIE = 'chronoface_token';
export const TOKEN_META = 'chronoface-token';
export const API_PREFIX = '/api/';
export const EVENTS_PATH = '/api/events';
export const FILES_PREFIX = '/files/';
export const UPLOAD_CONTENT_TYPE = 'application/octet-stream';
export const UPLOAD_NAME_QUERY = 'name';

export type WireResponse<M extends MethodName> = Envelope<M>;

export type WireEvent = ApiEvent;

export function apiPath(method: MethodName): string {
  return `${API_PREFIX}${method}`;
}

/** HTTP status for an error code. */
export function statusOf(code: ApiErrorCode): number {
  switch (code) {
    case 'invalid-argument':
      return 400;
    case 'unauthorized':
      return 401;
    case 'not-found':
      return 404;
    case 'busy':
    case 'run-in-progress':
      return 409;
    case 'unsupported':
    case 'not-implemented':
      return 501;
    case 'cancelled':
      return 499;
    default:
      return 500;
  }
}
