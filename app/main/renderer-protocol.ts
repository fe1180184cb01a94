/**
 * Serves the built renderer from `app://switchyard/`, a standard, secure
 * scheme, so the page has a real origin for the CSP and the IPC sender check
 * instead of the looser `file://`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import { APP_HOST, APP_SCHEME } from './channels.js';

/**
 * Content Security Policy of the window: code and styles only from the app,
 * no network connections (the engine is reached over IPC), no framing.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

/** Registers the scheme's privileges; Electron requires this before the `ready` event. */
export function registerRendererScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

/** Serves `app://switchyard/PATH` from the file PATH under `rendererDirectory`, with 404 outside it. */
export function serveRenderer(rendererDirectory: string): void {
  const root = resolve(rendererDirectory);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host !== APP_HOST) return new Response('Not found', { status: 404 });
    const relative = url.pathname === '/' ? 'index.html' : decodePath(url.pathname);
    const path = relative === undefined ? undefined : resolve(root, relative);
    if (path === undefined || !path.startsWith(root + sep)) return new Response('Not found', { status: 404 });
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return new Response('Not found', { status: 404 });
    return new Response(await readFile(path), {
      headers: {
        'Content-Type': CONTENT_TYPES[extname(path)] ?? 'application/octet-stream',
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}

/** Returns the path below the renderer folder, or undefined when the percent-encoding is malformed. */
function decodePath(pathname: string): string | undefined {
  try {
    return decodeURIComponent(pathname).replace(/^\/+/, '');
  } catch {
    return undefined;
  }
}
