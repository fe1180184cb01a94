/**
 * The engine contract over a WebSocket, for `switchyard serve`. Each text
 * frame carries one envelope from `app/core/contract.ts`: clients send
 * requests, the host returns responses and pushes every engine event to every
 * client. Upgrades are accepted only on the configured path, with the host's
 * token in the `token` query parameter and, when the client sends an Origin
 * header (browsers always do), with an Origin equal to the served origin.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import {
  EVENT_NAMES,
  parseCommand,
  requestEnvelopeSchema,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type EventName,
  type EventPayload,
  type ParsedCommand,
  type ResponseEnvelope,
} from '../core/contract.js';

/** The part of `Engine` a transport uses. */
export interface ContractEngine {
  handle<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<CommandResponse<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

export type TransportLog = (level: 'info' | 'warn' | 'error', message: string) => void;

export interface WebSocketTransportOptions {
  engine: ContractEngine;
  server: Server;
  token: string;
  /** Origins a browser may connect from, such as `http://127.0.0.1:7740`, computed once the server listens. */
  allowedOrigins: () => readonly string[];
  path?: string;
  log?: TransportLog;
}

export interface WebSocketTransport {
  /** Number of open client connections. */
  readonly clientCount: number;
  /** Closes every client connection and detaches from the engine and the HTTP server. */
  close(): Promise<void>;
}

/** Largest request frame accepted, in bytes; a topology import is the largest request. */
export const MAX_REQUEST_BYTES = 16 * 1024 * 1024;

/**
 * Bytes queued for one client above which monitor batches to it are dropped,
 * so that a slow browser tab cannot grow the host's memory without bound.
 * Other events are always sent.
 */
export const MAX_BUFFERED_BYTES = 4 * 1024 * 1024;

/** Close code sent to clients when the host shuts down (RFC 6455 "going away"). */
const CLOSE_GOING_AWAY = 1001;

/** Returns true when `candidate` equals `token`, comparing in constant time. */
export function tokenMatches(candidate: string | null, token: string): boolean {
  if (candidate === null) return false;
  const expected = Buffer.from(token, 'utf8');
  const actual = Buffer.from(candidate, 'utf8');
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/**
 * Decides whether an upgrade request may open a WebSocket. Returns null to
 * accept, or the HTTP status and a message to reject with.
 */
export function checkUpgrade(
  request: Pick<IncomingMessage, 'url' | 'headers'>,
  options: { path: string; token: string; allowedOrigins: readonly string[] },
): { status: 401 | 403 | 404; message: string } | null {
  const url = new URL(request.url ?? '/', 'http://upgrade.invalid');
  if (url.pathname !== options.path) {
    return { status: 404, message: `No WebSocket endpoint at "${url.pathname}". Connect to "${options.path}".` };
  }
  if (!tokenMatches(url.searchParams.get('token'), options.token)) {
    return {
      status: 401,
      message: 'The WebSocket token is missing or wrong. Open the URL that "switchyard serve" printed, with its token.',
    };
  }
  const origin = request.headers.origin;
  if (origin !== undefined && !options.allowedOrigins.includes(origin)) {
    return {
      status: 403,
      message: `WebSocket connections from origin "${origin}" are not allowed. Open the app from the URL that "switchyard serve" printed.`,
    };
  }
  return null;
}

/** Attaches the contract's WebSocket endpoint to an HTTP server. */
export function attachWebSocketTransport(options: WebSocketTransportOptions): WebSocketTransport {
  const path = options.path ?? '/ws';
  const log: TransportLog = options.log ?? (() => undefined);
  const sockets = new WebSocketServer({ noServer: true, maxPayload: MAX_REQUEST_BYTES });
  const clients = new Set<ClientConnection>();
  const tapSubscribers = new TapSubscribers();
  let nextClientId = 1;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const rejection = checkUpgrade(request, { path, token: options.token, allowedOrigins: options.allowedOrigins() });
    if (rejection) {
      log('warn', `Rejected a WebSocket upgrade from ${request.socket.remoteAddress ?? 'an unknown address'} with ${rejection.status}: ${rejection.message}`);
      rejectUpgrade(socket, rejection.status, rejection.message);
      return;
    }
    sockets.handleUpgrade(request, socket, head, (webSocket) => {
      const client = new ClientConnection(nextClientId++, webSocket, options.engine, tapSubscribers, log);
      clients.add(client);
      log('info', `[client ${client.id}] connected from ${request.socket.remoteAddress ?? 'an unknown address'}`);
      webSocket.on('close', () => {
        clients.delete(client);
        client.release();
        log('info', `[client ${client.id}] disconnected`);
      });
    });
  };
  options.server.on('upgrade', onUpgrade);

  const detachEvents = EVENT_NAMES.map((event) =>
    options.engine.on(event, (payload) => {
      const frame = JSON.stringify({ type: 'event', event, payload });
      for (const client of clients) client.sendEvent(event, frame);
    }),
  );

  return {
    get clientCount() {
      return clients.size;
    },
    async close() {
      options.server.off('upgrade', onUpgrade);
      for (const detach of detachEvents) detach();
      const closed = [...clients].map(
        (client) => new Promise<void>((resolve) => client.close(CLOSE_GOING_AWAY, 'The Switchyard host is shutting down.', resolve)),
      );
      await Promise.all(closed);
      await new Promise<void>((resolve) => sockets.close(() => resolve()));
    },
  };
}

function rejectUpgrade(socket: Duplex, status: 401 | 403 | 404, message: string): void {
  const reason = { 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found' }[status];
  const body = `${message}\n`;
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\n` +
      'Connection: close\r\n' +
      'Content-Type: text/plain; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      '\r\n' +
      body,
  );
}

/**
 * Number of clients subscribed to each device's monitor tap. The engine keeps
 * one tap per device, so the transport forwards `monitor:unsubscribe` only
 * when the last subscribed client unsubscribes or disconnects.
 */
class TapSubscribers {
  private readonly counts = new Map<string, number>();

  add(device: string): void {
    this.counts.set(device, (this.counts.get(device) ?? 0) + 1);
  }

  /** Removes one subscriber of `device` and returns true when it was the last one. */
  remove(device: string): boolean {
    const count = (this.counts.get(device) ?? 0) - 1;
    if (count > 0) {
      this.counts.set(device, count);
      return false;
    }
    this.counts.delete(device);
    return true;
  }

  has(device: string): boolean {
    return this.counts.has(device);
  }
}

/** One browser connection: its requests, its event stream and the monitor taps it opened. */
class ClientConnection {
  /** Devices this client subscribed a monitor tap for, released when it disconnects. */
  private readonly taps = new Set<string>();
  private droppedBatches = 0;

  constructor(
    readonly id: number,
    private readonly socket: WebSocket,
    private readonly engine: ContractEngine,
    private readonly tapSubscribers: TapSubscribers,
    private readonly log: TransportLog,
  ) {
    socket.on('message', (data, isBinary) => void this.receive(data, isBinary));
    socket.on('error', (error) => this.log('warn', `[client ${id}] WebSocket error: ${error.message}`));
  }

  sendEvent(event: EventName, frame: string): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    if (event === 'monitor:batch' && this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.droppedBatches += 1;
      if (this.droppedBatches === 1 || this.droppedBatches % 100 === 0) {
        this.log('warn', `[client ${this.id}] dropped ${this.droppedBatches} monitor batch(es) because the client reads too slowly.`);
      }
      return;
    }
    this.socket.send(frame);
  }

  close(code: number, reason: string, done: () => void): void {
    if (this.socket.readyState === this.socket.CLOSED) {
      done();
      return;
    }
    this.socket.once('close', done);
    this.socket.close(code, reason);
  }

  /** Releases the monitor taps this client subscribed to, ending each one that no other client uses. */
  release(): void {
    for (const device of this.taps) {
      if (!this.tapSubscribers.remove(device)) continue;
      this.engine.handle('monitor:unsubscribe', { device }).catch((error: unknown) => {
        this.log('warn', `[client ${this.id}] could not unsubscribe the monitor tap of device "${device}": ${messageOf(error)}`);
      });
    }
    this.taps.clear();
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    if (isBinary) {
      this.log('warn', `[client ${this.id}] sent a binary frame, which the contract does not use; closing.`);
      this.socket.close(1003, 'Send requests as JSON text frames.');
      return;
    }
    let envelope: unknown;
    try {
      envelope = JSON.parse(rawText(data));
    } catch (error) {
      this.log('warn', `[client ${this.id}] sent a frame that is not JSON: ${messageOf(error)}`);
      this.respond({ type: 'response', id: 0, ok: false, error: { code: 'invalid-request', message: `The request is not valid JSON: ${messageOf(error)}` } });
      return;
    }
    const parsedEnvelope = requestEnvelopeSchema.safeParse(envelope);
    if (!parsedEnvelope.success) {
      const id = requestIdOf(envelope);
      const message = `The request envelope is invalid. Send {"type":"request","id":<number>,"command":<name>,"payload":<object>}: ${parsedEnvelope.error.message}`;
      this.log('warn', `[client ${this.id}] request ${id}: ${message}`);
      this.respond({ type: 'response', id, ok: false, error: { code: 'invalid-request', message } });
      return;
    }
    const { id, command, payload } = parsedEnvelope.data;
    const parsed = parseCommand(command, payload);
    if (!parsed.ok) {
      this.log('warn', `[client ${this.id}] request ${id}: ${parsed.error.message}`);
      this.respond({ type: 'response', id, ok: false, error: parsed.error });
      return;
    }
    this.respond(await this.run(id, parsed.value));
  }

  private async run(id: number, parsed: ParsedCommand): Promise<ResponseEnvelope> {
    try {
      const result = await this.execute(parsed);
      return { type: 'response', id, ok: true, result };
    } catch (error) {
      this.log('warn', `[client ${this.id}] command "${parsed.command}" failed: ${messageOf(error)}`);
      return { type: 'response', id, ok: false, error: { code: 'command-failed', message: messageOf(error) } };
    }
  }

  /** Runs a command on the engine, counting monitor subscriptions across clients. */
  private async execute(parsed: ParsedCommand): Promise<unknown> {
    if (parsed.command === 'monitor:subscribe') return this.subscribe(parsed);
    if (parsed.command === 'monitor:unsubscribe') return this.unsubscribe(parsed);
    return dispatch(this.engine, parsed);
  }

  /**
   * Counts this client as a subscriber before the engine subscribes, so that
   * another client's unsubscribe in the meantime does not end the tap, and
   * takes the count back when the engine rejects the subscription.
   */
  private async subscribe(parsed: Extract<ParsedCommand, { command: 'monitor:subscribe' }>): Promise<unknown> {
    const { device } = parsed.request;
    const counted = !this.taps.has(device);
    if (counted) {
      this.taps.add(device);
      this.tapSubscribers.add(device);
    }
    try {
      return await dispatch(this.engine, parsed);
    } catch (error) {
      if (counted) {
        this.taps.delete(device);
        this.tapSubscribers.remove(device);
      }
      throw error;
    }
  }

  /**
   * Ends the engine's tap only when no other client is subscribed to it. An
   * unsubscribe from a client that never subscribed leaves other clients'
   * tap running.
   */
  private async unsubscribe(parsed: Extract<ParsedCommand, { command: 'monitor:unsubscribe' }>): Promise<unknown> {
    const { device } = parsed.request;
    const wasSubscribed = this.taps.delete(device);
    const lastSubscriber = wasSubscribed ? this.tapSubscribers.remove(device) : !this.tapSubscribers.has(device);
    if (!lastSubscriber) return null;
    return dispatch(this.engine, parsed);
  }

  private respond(response: ResponseEnvelope): void {
    if (this.socket.readyState === this.socket.OPEN) this.socket.send(JSON.stringify(response));
  }
}

/** Runs a checked command on the engine; the union of command names needs one cast to reach the generic method. */
export function dispatch(engine: ContractEngine, parsed: ParsedCommand): Promise<unknown> {
  const handle = engine.handle.bind(engine) as (command: CommandName, request: unknown) => Promise<unknown>;
  return handle(parsed.command, parsed.request);
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  if (data instanceof ArrayBuffer) return Buffer.from(data).toString('utf8');
  return data.toString('utf8');
}

function requestIdOf(envelope: unknown): number {
  if (typeof envelope === 'object' && envelope !== null && 'id' in envelope && typeof envelope.id === 'number') {
    return envelope.id;
  }
  return 0;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
