/** Who may talk to the browser mode: the Host, the Origin and the token of a request (see contract/wire.ts). */
import { timingSafeEqual } from 'node:crypto';
import type http from 'node:http';
import { TOKEN_COOKIE, TOKEN_HEADER, TOKEN_QUERY } from '../../contract/wire.js';

/** The Host header must name the loopback (DNS rebinding); any port, since an SSH tunnel may change it. */
export function loopbackHost(host: string | undefined): boolean {
  if (!host) return false;
  const name = host.startsWith('[') ? host.slice(0, host.indexOf(']') + 1) : host.split(':')[0];
  return name === '127.0.0.1' || name === 'localhost' || name === '[::1]';
}

/**
 * No Origin, or exactly the origin the request was sent to. Pages on other ports of 127.0.0.1 are the same site (so
 * they get SameSite cookies) but not the same origin: they are refused here.
 */
export function sameOrigin(req: http.IncomingMessage): boolean {
  const origin = req.headers.origin;
  return origin === undefined || origin === `http://${req.headers.host}`;
}

function cookieToken(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === TOKEN_COOKIE) return v.join('=');
  }
  return undefined;
}

/** What a request asks for, which decides where it may carry its token. */
export type Route = 'api' | 'events' | 'page' | 'data';

/**
 * The token a request carries where it may carry it. API calls: the header only, so that no page can call the API
 * with the browser's cookie. The events stream: the header or the cookie (EventSource cannot set headers; a page of
 * another origin is refused by its Origin). Data files and photos: the header or the cookie (an <img> cannot set
 * headers), never the URL, where it would land in history and logs. The page: also ?token=, the URL that
 * `chronoface serve` prints, which is answered with the cookie and a redirect to the same page without it.
 */
export function givenToken(req: http.IncomingMessage, url: URL, route: Route): string | undefined {
  const header = req.headers[TOKEN_HEADER];
  const fromHeader = typeof header === 'string' ? header : undefined;
  if (route === 'api') return fromHeader;
  const fromCookie = cookieToken(req.headers.cookie);
  if (route === 'page') return url.searchParams.get(TOKEN_QUERY) ?? fromHeader ?? fromCookie;
  return fromHeader ?? fromCookie;
}

export function sameToken(given: string | undefined, token: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}
