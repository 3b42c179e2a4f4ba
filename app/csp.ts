/** Content-Security-Policy of the studio page in the browser mode. */
export const BROWSER_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "frame-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Content-Security-Policy of the studio page in Electron (served from chronoface://app). */
export const ELECTRON_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' chronoface: data: blob:",
  "media-src 'self' chronoface: blob:",
  "font-src 'self'",
  "connect-src 'self' chronoface:",
  "frame-src chronoface:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

/** The vision page needs wasm compilation and blob workers for MediaPipe, and nothing from outside the app. */
export const VISION_CSP = [
  "default-src 'self' chronoface:",
  "script-src 'self' chronoface: 'wasm-unsafe-eval'",
  "connect-src 'self' chronoface:",
  "img-src 'self' data: blob:",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
].join('; ');

/** Files of the data directory (crops, outputs, reports) run nothing: an HTML report or an SVG is shown inert. */
export const DATA_FILE_CSP = "sandbox; default-src 'none'; img-src data: 'self'; style-src 'unsafe-inline'";
