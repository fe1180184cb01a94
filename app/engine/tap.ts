/**
 * Monitor taps: a SUB socket the engine connects to a device's bound monitor
 * endpoint, subscribed to everything. Received messages are collected and
 * handed over in batches every `intervalMs`. A batch is bounded by count and
 * bytes; what does not fit is counted in `dropped`, never queued. The tap
 * cannot slow the device down: when the tap falls behind, the device's PUB
 * socket drops at its high-water mark on its own side.
 */
import { Subscriber } from 'zeromq';
import type { MonitorBatch, MonitorMessage } from '../core/contract.js';
import type { SocketSpec } from '../core/topology.js';

export interface TapLimits {
  intervalMs: number;
  maxMessages: number;
  maxBytes: number;
}

export const DEFAULT_TAP_LIMITS: TapLimits = { intervalMs: 150, maxMessages: 5_000, maxBytes: 4 * 1024 * 1024 };

/** Monitor socket types a SUB tap can connect to. */
const TAPPABLE_TYPES = new Set(['PUB', 'XPUB']);

/**
 * Returns why the monitor socket of a device cannot be tapped, or null when it
 * can: the tap connects a SUB, so the monitor must be a PUB or XPUB that binds.
 */
export function untappableReason(deviceId: string, mon: SocketSpec | undefined): string | null {
  if (!mon) {
    return `Device "${deviceId}" has no monitor socket. Add a "mon" socket (PUB that binds) to watch its traffic.`;
  }
  if (!TAPPABLE_TYPES.has(mon.type)) {
    return `Cannot tap the monitor of device "${deviceId}": its type is ${mon.type}, but the tap subscribes with SUB. Make the monitor a PUB or XPUB.`;
  }
  if (!mon.bind || mon.bind.length === 0) {
    return `Cannot tap the monitor of device "${deviceId}": it only connects. Give the monitor a bind endpoint, such as "tcp://127.0.0.1:*".`;
  }
  return null;
}

/**
 * Rewrites a resolved bind endpoint into one a local peer can connect to:
 * a wildcard host (`0.0.0.0`, `[::]`, `*`) becomes the loopback address.
 */
export function connectableEndpoint(endpoint: string): string {
  return endpoint
    .replace(/^tcp:\/\/(\*|0\.0\.0\.0):/, 'tcp://127.0.0.1:')
    .replace(/^tcp:\/\/\[::\]:/, 'tcp://[::1]:');
}

export class MonitorTap {
  private readonly socket = new Subscriber({ linger: 0 });
  private pending: MonitorMessage[] = [];
  private pendingBytes = 0;
  private dropped = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly loop: Promise<void>;
  private closed = false;

  /**
   * Connects to `endpoints` (resolved bind endpoints of the monitor socket)
   * and starts delivering batches to `deliver`. `onError` gets receive errors
   * other than the close of the socket.
   */
  constructor(
    readonly device: string,
    readonly endpoints: string[],
    private readonly deliver: (batch: MonitorBatch) => void,
    private readonly onError: (error: unknown) => void,
    private readonly limits: TapLimits = DEFAULT_TAP_LIMITS,
  ) {
    this.socket.subscribe();
    for (const endpoint of endpoints) this.socket.connect(connectableEndpoint(endpoint));
    this.timer = setInterval(() => this.flush(), limits.intervalMs);
    this.loop = this.receive();
  }

  /** Delivers what is pending and closes the socket. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    this.socket.close();
    await this.loop;
    this.flush();
  }

  private async receive(): Promise<void> {
    try {
      for await (const frames of this.socket) this.collect(frames);
    } catch (error) {
      if (!this.closed) this.onError(error);
    }
  }

  private collect(frames: Buffer[]): void {
    const [prefix, ...rest] = frames;
    let bytes = 0;
    for (const frame of rest) bytes += frame.length;
    const full =
      this.pending.length >= this.limits.maxMessages ||
      (this.pending.length > 0 && this.pendingBytes + bytes > this.limits.maxBytes);
    if (full) {
      this.dropped += 1;
      return;
    }
    this.pending.push({
      at: Date.now(),
      device: this.device,
      prefix: prefix ? prefix.toString('utf8') : '',
      frames: rest.map((frame) => frame.toString('base64')),
      // Bytes of the relayed message, without the prefix frame.
      bytes,
    });
    this.pendingBytes += bytes;
  }

  private flush(): void {
    if (this.pending.length === 0 && this.dropped === 0) return;
    const batch: MonitorBatch = { device: this.device, messages: this.pending, dropped: this.dropped };
    this.pending = [];
    this.pendingBytes = 0;
    this.dropped = 0;
    this.deliver(batch);
  }
}
