/**
 * `switchyard serve [FILE] [--port N] [--host H] [--ui-dir DIR]`: hosts the engine headless
 * and serves the built renderer to a browser, with the engine contract on a
 * WebSocket at `/ws`.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, statSync, type Stats } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import { dirname, extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Engine } from '../engine/engine.js';
import { ChildProcessHost } from '../engine/host.js';
import { Logger, printingSink } from '../engine/logger.js';
import { attachWebSocketTransport, tokenMatches, type ContractEngine } from '../engine/transport-ws.js';
import { contentSecurityPolicy, contentTypeFor, decodeRequestPath } from '../core/static-files.js';
import { readErrorMessage } from './file-errors.js';
import { formatFromPath } from './load.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, processOutput, type Output } from './usage.js';

export const SERVE_HELP = `Usage: switchyard serve [FILE] [--port N] [--host H] [--ui-dir DIR]

Serves the Switchyard UI to a browser and runs devices from it, until SIGINT
(Ctrl-C) or SIGTERM, which stop every device. A second signal during that
exits at once, and the device workers then exit because their parent is gone.

Prints the URL to open. The URL carries a random token, and the page and its
WebSocket reject requests without that token. Scripts, styles and other
static files of the UI are served without the token because they contain no
data.

Arguments:
  FILE               Topology file (JSON or YAML) to open at start.

Options:
  -p, --port N       TCP port to listen on, 0 to 65535 (default 0: any free
                     port).
      --host H       Address to listen on (default 127.0.0.1). Any other
                     address lets every machine that can reach it and has the
                     token run devices on this one.
      --ui-dir DIR   Folder of the built UI (default: dist/renderer of this
                     installation, built by "npm run build:renderer").
  -h, --help         Print this help.`;

/** The WebSocket path of the engine contract. */
export const WEB_SOCKET_PATH = '/ws';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '::1', 'localhost']);

/**
 * Content Security Policy of every page. Connections may go back to this
 * origin only, which is where the page opens its WebSocket.
 */
export const CONTENT_SECURITY_POLICY = contentSecurityPolicy("'self'");

export interface WebHostOptions {
  engine: ContractEngine;
  /** Folder with the Vite build of the renderer (`index.html` and `assets/`). */
  rendererDirectory: string;
  host?: string;
  port?: number;
  /** Token the page and the WebSocket require; a random one when absent. */
  token?: string;
  log?: (level: 'info' | 'warn' | 'error', message: string) => void;
}

export interface WebHost {
  /** Address to open in a browser, token included. */
  readonly url: string;
  /** Origin of the page, such as `http://127.0.0.1:7740`. */
  readonly origin: string;
  readonly port: number;
  readonly token: string;
  /** Closes every WebSocket and the HTTP server. The engine stays open. */
  close(): Promise<void>;
}

/** Starts the HTTP server and the WebSocket transport and resolves once it listens. */
export async function startWebHost(options: WebHostOptions): Promise<WebHost> {
  const host = options.host ?? '127.0.0.1';
  const token = options.token ?? randomBytes(24).toString('base64url');
  const log = options.log ?? (() => undefined);
  const rendererDirectory = resolve(options.rendererDirectory);
  let allowedOrigins: readonly string[] = [];

  const server = createServer((request, response) => {
    serveStatic(request, response, rendererDirectory, token).catch((error: unknown) => {
      log('error', `Serving "${request.url ?? ''}" failed: ${error instanceof Error ? error.message : String(error)}`);
      if (!response.headersSent) sendText(response, 500, 'The file could not be read. See the switchyard serve log.');
      else response.destroy();
    });
  });
  const transport = attachWebSocketTransport({
    engine: options.engine,
    server,
    token,
    path: WEB_SOCKET_PATH,
    allowedOrigins: () => allowedOrigins,
    log,
  });

  await listen(server, host, options.port ?? 0);
  const port = (server.address() as AddressInfo).port;
  allowedOrigins = originsFor(host, port);
  const origin = `http://${urlHost(host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host)}:${port}`;

  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    async close() {
      await transport.close();
      server.closeAllConnections();
      await new Promise<void>((resolveClose) => server.close(() => resolveClose()));
    },
  };
}

/** Runs `switchyard serve` with `argv` (the arguments after "serve") and resolves with the exit code. */
export async function serveCommand(argv: string[], output: Output = processOutput): Promise<number> {
  const { values, positionals } = parseCommandArgs('serve', argv, {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    'ui-dir': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  }, { port: '7740', host: '127.0.0.1', 'ui-dir': 'dist/renderer' });
  if (values.help) {
    output.out(SERVE_HELP);
    return EXIT_OK;
  }
  if (positionals.length > 1) {
    throw new UsageError(`Expected at most one topology FILE, got ${positionals.length}: ${positionals.join(' ')}.`, 'serve');
  }
  const port = parsePort(values.port);
  const host = values.host ?? '127.0.0.1';
  const file = positionals[0];

  const rendererDirectory = findRendererDirectory(values['ui-dir']);
  if (!rendererDirectory.ok) {
    output.err(rendererDirectory.message);
    return EXIT_FAILURE;
  }

  const logger = new Logger();
  logger.addSink(printingSink(output.err, 'info'));
  const engine = new Engine({ host: new ChildProcessHost(), logger });

  if (file !== undefined) {
    const opened = await openFile(engine, file);
    if (!opened.ok) {
      output.err(opened.message);
      await engine.close();
      return EXIT_FAILURE;
    }
  }

  let webHost: WebHost;
  try {
    webHost = await startWebHost({
      engine,
      rendererDirectory: rendererDirectory.path,
      host,
      port,
      log: (level, message) => logger.write(level, 'web host', message),
    });
  } catch (error) {
    await engine.close();
    output.err(`Cannot listen on ${host}:${port}: ${error instanceof Error ? error.message : String(error)}. Choose another --port or --host.`);
    return EXIT_FAILURE;
  }

  if (!LOOPBACK_HOSTS.has(host)) {
    logger.warn('web host', `Listening on ${host}, which is not a loopback address: anyone who can reach it and has the token can run devices here.`);
  }
  output.out(`Switchyard is serving at ${webHost.url}`);
  output.out('Open that URL in a browser. Press Ctrl-C to stop every device and exit.');

  await waitForStopSignal();
  logger.info('web host', 'stopping every device and exiting');
  await webHost.close();
  await engine.close();
  return EXIT_OK;
}

async function openFile(engine: ContractEngine, file: string): Promise<{ ok: true } | { ok: false; message: string }> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    return { ok: false, message: readErrorMessage(file, error) };
  }
  const format = formatFromPath(file);
  try {
    await engine.handle('document:import', format ? { text, format } : { text });
    return { ok: true };
  } catch (error) {
    return { ok: false, message: `${file}: ${error instanceof Error ? error.message : String(error)}` };
  }
}

function parsePort(value: string | undefined): number {
  if (value === undefined) return 0;
  const port = Number(value);
  if (!/^\d+$/.test(value) || port > 65535) {
    throw new UsageError(`Invalid --port "${value}": expected a whole number from 0 to 65535.`, 'serve');
  }
  return port;
}

/** Resolves at the first SIGINT or SIGTERM. */
function waitForStopSignal(): Promise<void> {
  return new Promise((resolveSignal) => {
    const listener = (): void => {
      process.off('SIGINT', listener);
      process.off('SIGTERM', listener);
      resolveSignal();
    };
    process.on('SIGINT', listener);
    process.on('SIGTERM', listener);
  });
}

/**
 * Returns the folder with the built UI: `uiDirectory` when given, else the
 * first default folder that has an index.html.
 */
function findRendererDirectory(uiDirectory: string | undefined): { ok: true; path: string } | { ok: false; message: string } {
  if (uiDirectory === undefined) {
    const candidates = rendererCandidates();
    const found = candidates.find((candidate) => existsSync(join(candidate, 'index.html')));
    if (found) return { ok: true, path: found };
    return {
      ok: false,
      message: `The browser UI is not built: no index.html in ${candidates.join(' or ')}. Run "npm run build:renderer" and start switchyard serve again.`,
    };
  }

  const path = resolve(uiDirectory);
  let info: Stats | undefined;
  try {
    info = statSync(path, { throwIfNoEntry: false });
  } catch (error) {
    return { ok: false, message: readErrorMessage(uiDirectory, error) };
  }
  const fix = 'Give --ui-dir the folder that contains the built UI\'s index.html ("npm run build:renderer" writes it to dist/renderer).';
  if (!info) return { ok: false, message: `The --ui-dir folder "${uiDirectory}" does not exist. ${fix}` };
  if (!info.isDirectory()) return { ok: false, message: `The --ui-dir path "${uiDirectory}" is a file, not a folder. ${fix}` };
  if (!existsSync(join(path, 'index.html'))) return { ok: false, message: `The --ui-dir folder "${uiDirectory}" has no index.html. ${fix}` };
  return { ok: true, path };
}

/** Folders where the renderer build may be, nearest first: beside a compiled CLI or in the source checkout. */
function rendererCandidates(): string[] {
  const cliDirectory = dirname(fileURLToPath(import.meta.url));
  return [join(cliDirectory, '..', '..', 'renderer'), join(cliDirectory, '..', '..', 'dist', 'renderer')];
}

function listen(server: Server, host: string, port: number): Promise<void> {
  return new Promise((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(port, host, () => {
      server.off('error', rejectListen);
      resolveListen();
    });
  });
}

function urlHost(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

/** Returns the origins a browser may use to reach a server listening on `host`. */
function originsFor(host: string, port: number): string[] {
  let hosts: string[];
  if (LOOPBACK_HOSTS.has(host)) {
    hosts = [...LOOPBACK_HOSTS];
  } else if (host === '0.0.0.0' || host === '::') {
    const addresses = Object.values(networkInterfaces()).flatMap((entries) => entries ?? []).map((entry) => entry.address);
    hosts = [...LOOPBACK_HOSTS, ...addresses];
  } else {
    hosts = [host];
  }
  return hosts.map((name) => `http://${urlHost(name)}:${port}`);
}

async function serveStatic(request: IncomingMessage, response: ServerResponse, root: string, token: string): Promise<void> {
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.setHeader('Allow', 'GET, HEAD');
    sendText(response, 405, `Method ${request.method ?? ''} is not allowed. Use GET.`);
    return;
  }
  const url = new URL(request.url ?? '/', 'http://request.invalid');
  const isPage = url.pathname === '/' || url.pathname === '/index.html';
  if (isPage && !tokenMatches(url.searchParams.get('token'), token)) {
    sendText(response, 401, 'The token is missing or wrong. Open the URL that "switchyard serve" printed, with its token.');
    return;
  }

  const relative = isPage ? 'index.html' : decodeRequestPath(url.pathname);
  const path = relative === undefined ? undefined : resolve(root, relative);
  if (path === undefined || !path.startsWith(root + sep)) {
    sendText(response, 404, `Not found: ${url.pathname}`);
    return;
  }
  const info = await stat(path).catch(() => undefined);
  if (!info?.isFile()) {
    sendText(response, 404, `Not found: ${url.pathname}`);
    return;
  }

  const body = await readFile(path);
  setSecurityHeaders(response);
  response.statusCode = 200;
  response.setHeader('Content-Type', contentTypeFor(extname(path)));
  response.setHeader('Content-Length', body.length);
  response.setHeader('Cache-Control', isPage ? 'no-store' : 'no-cache');
  response.end(request.method === 'HEAD' ? undefined : body);
}

/** Sets the headers every response carries. `no-referrer` keeps the token in the page URL from leaking. */
function setSecurityHeaders(response: ServerResponse): void {
  response.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  response.setHeader('Referrer-Policy', 'no-referrer');
  response.setHeader('X-Content-Type-Options', 'nosniff');
  response.setHeader('X-Frame-Options', 'DENY');
  response.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
}

function sendText(response: ServerResponse, status: number, message: string): void {
  setSecurityHeaders(response);
  response.statusCode = status;
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.end(`${message}\n`);
}
