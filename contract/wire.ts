/**
 * The browser mode's HTTP wire format (app/serve implements the server, renderer/src the client).
 *   POST /api/<method>   body: the request as JSON      -> 200 {ok:true,result} | 4xx/5xx {ok:false,error:{message,code}}
 *   POST /api/agePhotoAdd?name=<file name>   content-type application/octet-stream, body: the photo's bytes
 *                        -> the same answer as agePhotoAdd({ name, dataBase64 }); at most two uploads run at once
 *   GET  /api/events     text/event-stream; each message `data: <ApiEvent JSON>`; a comment line every 15 s keeps it open
 *   GET  /files/<relative path>   a file of the data directory
 *   GET  /, /index.html, /assets/... the studio renderer bundle
 * Bodies over their cap (64 MB of JSON, 48 MB of photo) are answered 413 {ok:false,error} without being kept.
 * Token: API calls send header `x-chronoface-token`; /api/events also takes `?token=` (EventSource cannot set
 * headers); pages, /files/ and /images/ take `?token=` or the `chronoface_token` cookie the server sets (HttpOnly,
 * SameSite=Strict) when the page is loaded with ?token=. The API never accepts the cookie. Anything without: 401.
 * Origin: a request that carries one is refused (403) unless it is exactly http://<its Host header>, port included.
 */
import type { ApiErrorCode, ApiEvent, Envelope, MethodName } from './api.js';

export const TOKEN_HEADER = 'x-chronoface-token';
export const TOKEN_QUERY = 'token';
export const TOKEN_COOKIE = 'chronoface_token';
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
