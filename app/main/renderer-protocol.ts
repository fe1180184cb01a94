/**
 * Serves the built renderer from `app://switchyard/`, a standard, secure
 * scheme, so the page has a real origin for the CSP and the IPC sender check
 * instead of the looser `file://`.
 */
import { readFile, stat } from 'node:fs/promises';
import { extname, resolve, sep } from 'node:path';
import { protocol } from 'electron';
import { contentSecurityPolicy, contentTypeFor, decodeRequestPath } from '../core/static-files.js';
import { APP_HOST, APP_SCHEME } from './channels.js';

/**
 * Content Security Policy of the window. It allows no network connections
 * because the page reaches the engine over IPC.
 */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy("'none'");

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
    const relative = url.pathname === '/' ? 'index.html' : decodeRequestPath(url.pathname);
    const path = relative === undefined ? undefined : resolve(root, relative);
    if (path === undefined || !path.startsWith(root + sep)) return new Response('Not found', { status: 404 });
    const info = await stat(path).catch(() => undefined);
    if (!info?.isFile()) return new Response('Not found', { status: 404 });
    return new Response(await readFile(path), {
      headers: {
        'Content-Type': contentTypeFor(extname(path)),
        'Content-Security-Policy': CONTENT_SECURITY_POLICY,
        'X-Content-Type-Options': 'nosniff',
      },
    });
  });
}
