/**
 * The renderer's one client of the engine contract. It speaks to
 * `window.switchyard` when the Electron preload exposed it, and otherwise to
 * the WebSocket of `switchyard serve` with the token from the page URL.
 */
import {
  commandSchemas,
  isEventName,
  serverMessageSchema,
  type CommandError,
  type CommandName,
  type CommandRequest,
  type CommandResponse,
  type EngineBridge,
  type EventEnvelope,
  type EventName,
  type EventPayload,
  type ResponseEnvelope,
} from '../core/contract.js';

declare global {
  interface Window {
    /** Set by the Electron preload; absent in a browser. */
    switchyard?: EngineBridge;
  }
}

export type ConnectionState = 'connecting' | 'open' | 'closed';

/** A command the engine rejected, with the contract's error code. */
export class CommandFailedError extends Error {
  readonly code: CommandError['code'];
  readonly command: CommandName;

  constructor(command: CommandName, error: CommandError) {
    super(error.message);
    this.name = 'CommandFailedError';
    this.code = error.code;
    this.command = command;
  }
}

export interface EngineClient {
  /** Sends a command and resolves with its checked response, or rejects with CommandFailedError. */
  request<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<CommandResponse<C>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
  onConnection(listener: (state: ConnectionState, reason?: string) => void): () => void;
}

/** Wraps a bridge into a typed client that checks every response against the contract. */
export function createClient(bridge: EngineBridge, connection: ConnectionSource): EngineClient {
  const listeners = new Map<EventName, Set<(payload: never) => void>>();

  bridge.subscribe((envelope: EventEnvelope) => {
    if (!isEventName(envelope.event)) return;
    for (const listener of listeners.get(envelope.event) ?? []) listener(envelope.payload as never);
  });

  return {
    async request(command, request) {
      const response = await bridge.request(command, request);
      if (!response.ok) throw new CommandFailedError(command, response.error);
      return commandSchemas[command].response.parse(response.result) as CommandResponse<typeof command>;
    },
    on(event, listener) {
      const set = listeners.get(event) ?? new Set();
      listeners.set(event, set);
      set.add(listener as (payload: never) => void);
      return () => set.delete(listener as (payload: never) => void);
    },
    onConnection: (listener) => connection.onConnection(listener),
  };
}

export interface ConnectionSource {
  onConnection(listener: (state: ConnectionState, reason?: string) => void): () => void;
}

/** Connects to the engine through the preload bridge when present, else over the page's WebSocket. */
export function connectEngine(): EngineClient {
  const preloadBridge = window.switchyard;
  if (preloadBridge) {
    const alwaysOpen: ConnectionSource = {
      onConnection(listener) {
        listener('open');
        return () => undefined;
      },
    };
    return createClient(preloadBridge, alwaysOpen);
  }
  const socketBridge = new WebSocketBridge(webSocketUrl(window.location));
  return createClient(socketBridge, socketBridge);
}

/** Returns the WebSocket address of the web host, carrying the page's `token` query parameter. */
export function webSocketUrl(location: Pick<Location, 'protocol' | 'host' | 'search'>): string {
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
  return `${scheme}//${location.host}/ws?token=${encodeURIComponent(token)}`;
}

/**
 * The contract over one WebSocket. Requests sent before the socket opens wait
 * for it. When the socket closes, pending requests reject and the client stays
 * closed, so reloading the page is the way to reconnect.
 */
class WebSocketBridge implements EngineBridge, ConnectionSource {
  private readonly socket: WebSocket;
  private readonly opened: Promise<void>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve(response: ResponseEnvelope): void; reject(error: Error): void }>();
  private readonly eventListeners = new Set<(event: EventEnvelope) => void>();
  private readonly connectionListeners = new Set<(state: ConnectionState, reason?: string) => void>();
  private state: ConnectionState = 'connecting';
  private closeReason: string | undefined;

  constructor(url: string) {
    this.socket = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.socket.addEventListener('open', () => {
        this.setState('open');
        resolve();
      });
      this.socket.addEventListener('close', (event) => {
        const reason = event.reason || `The connection to the Switchyard host closed (code ${event.code}). Restart "switchyard serve" and open the URL it prints.`;
        this.setState('closed', reason);
        const error = new Error(reason);
        reject(error);
        for (const request of this.pending.values()) request.reject(error);
        this.pending.clear();
      });
    });
    this.opened.catch(() => undefined);
    this.socket.addEventListener('message', (event) => this.receive(event.data));
  }

  async request(command: CommandName, payload: unknown): Promise<ResponseEnvelope> {
    await this.opened;
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.send(JSON.stringify({ type: 'request', id, command, payload }));
    });
  }

  subscribe(listener: (event: EventEnvelope) => void): () => void {
    this.eventListeners.add(listener);
    return () => this.eventListeners.delete(listener);
  }

  onConnection(listener: (state: ConnectionState, reason?: string) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.state, this.closeReason);
    return () => this.connectionListeners.delete(listener);
  }

  private setState(state: ConnectionState, reason?: string): void {
    this.state = state;
    this.closeReason = reason;
    for (const listener of this.connectionListeners) listener(state, reason);
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    const parsed = serverMessageSchema.safeParse(JSON.parse(data));
    if (!parsed.success) {
      console.error(`Ignored a malformed message from the Switchyard host: ${parsed.error.message}`);
      return;
    }
    const message = parsed.data;
    if (message.type === 'event') {
      for (const listener of this.eventListeners) listener(message);
      return;
    }
    const request = this.pending.get(message.id);
    if (!request) return;
    this.pending.delete(message.id);
    request.resolve(message);
  }
}
