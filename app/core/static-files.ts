/**
 * Facts about serving the built renderer as static files, shared by the web
 * host of `switchyard serve` and the `app://` protocol of the Electron window:
 * the content types, the Content Security Policy and request path decoding.
 */

/** Content type of each file extension that the renderer build contains. */
export const STATIC_CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

/** Returns the content type for a file extension such as `.js` (as `path.extname` returns it), `application/octet-stream` when unknown. */
export function contentTypeFor(extension: string): string {
  return STATIC_CONTENT_TYPES[extension] ?? 'application/octet-stream';
}

/**
 * Returns the Content Security Policy of the renderer page: code, styles,
 * images and fonts only from the app's own origin, no framing, no forms.
 * `connectSource` is the one difference between the hosts: `'self'` in the
 * browser, whose page reaches the engine over a WebSocket to its own origin,
 * and `'none'` in Electron, whose page reaches the engine over IPC.
 */
export function contentSecurityPolicy(connectSource: "'self'" | "'none'"): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src ${connectSource}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * Decodes a URL path into a path relative to the served folder, with the
 * leading slashes removed. Returns undefined when the percent-encoding is
 * malformed. The caller must still check that the resolved path stays inside
 * the folder.
 */
export function decodeRequestPath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return undefined;
  }
}
