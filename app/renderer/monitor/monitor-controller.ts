/**
 * Live monitor traffic outside React state. Batches from the engine queue up
 * here and are merged into a bounded `MonitorBuffer` on a timer, a few times
 * a second, and only then does the view redraw. A flood of messages
 * therefore costs one filter pass over the new rows and one render per tick,
 * never one render per message.
 */
import { create, type StoreApi, type UseBoundStore } from 'zustand';
import type { MonitorBatch } from '../../core/contract.js';
import {
  compileFilter,
  DEFAULT_MONITOR_LIMITS,
  MonitorBuffer,
  type MonitorBufferLimits,
  type MonitorFilter,
  type MonitorRow,
} from '../../core/monitor-buffer.js';
import type { EngineClient } from '../client.js';

/** Milliseconds between merges of queued batches into the history. */
export const MONITOR_FLUSH_MS = 250;

/** State the monitor view renders from. Each change replaces it and never mutates it. */
export interface MonitorSnapshot {
  /** Rows that pass the filter, oldest first. */
  rows: readonly MonitorRow[];
  /** Messages kept in the history before filtering. */
  size: number;
  dropped: number;
  paused: boolean;
  filter: MonitorFilter;
  /** Error message for an invalid regular expression in the filter, or null. */
  filterError: string | null;
  /** Devices whose monitor socket is tapped. */
  tapped: readonly string[];
  /** Error of the last subscribe or unsubscribe, or null. */
  tapError: string | null;
}

export class MonitorController {
  readonly buffer: MonitorBuffer;
  /** Hook and store of the current snapshot; `subscribe` on it for transient updates. */
  readonly useSnapshot: UseBoundStore<StoreApi<MonitorSnapshot>>;
  #client: EngineClient;
  #pending: MonitorBatch[] = [];
  #rows: MonitorRow[] = [];
  #timer: ReturnType<typeof setInterval>;
  #detach: () => void;

  constructor(client: EngineClient, limits: MonitorBufferLimits = DEFAULT_MONITOR_LIMITS) {
    this.#client = client;
    this.buffer = new MonitorBuffer(limits);
    this.useSnapshot = create<MonitorSnapshot>()(() => ({
      rows: [],
      size: 0,
      dropped: 0,
      paused: false,
      filter: {},
      filterError: null,
      tapped: [],
      tapError: null,
    }));
    this.#detach = client.on('monitor:batch', (batch) => this.#pending.push(batch));
    this.#timer = setInterval(() => this.flush(), MONITOR_FLUSH_MS);
  }

  get snapshot(): MonitorSnapshot {
    return this.useSnapshot.getState();
  }

  /** Merges queued batches into the history and publishes a new snapshot. While paused, the shown rows stay as they were. */
  flush(): void {
    if (this.#pending.length === 0) return;
    const batches = this.#pending;
    this.#pending = [];
    const appended = this.buffer.appendBatches(batches);
    if (this.snapshot.paused) {
      this.useSnapshot.setState({ size: this.buffer.size, dropped: this.buffer.dropped });
      return;
    }

    const compiled = compileFilter(this.snapshot.filter);
    const oldest = this.buffer.oldestSeq;
    const kept = compiled.ok ? appended.filter((row) => row.seq >= oldest && compiled.test(row)) : [];
    let start = 0;
    while (start < this.#rows.length && this.#rows[start]!.seq < oldest) start++;
    this.#rows = start > 0 ? this.#rows.slice(start).concat(kept) : this.#rows.concat(kept);
    this.#publish();
  }

  setFilter(filter: MonitorFilter): void {
    const compiled = compileFilter(filter);
    this.#rows = compiled.ok ? this.buffer.rows().filter(compiled.test) : [];
    this.useSnapshot.setState({ filter, filterError: compiled.ok ? null : compiled.message });
    this.#publish();
  }

  setPaused(paused: boolean): void {
    this.useSnapshot.setState({ paused });
    // Resuming shows everything that arrived while paused, within the history limits.
    if (!paused) this.setFilter(this.snapshot.filter);
  }

  clear(): void {
    this.#pending = [];
    this.buffer.clear();
    this.#rows = [];
    this.#publish();
  }

  /**
   * Asks the engine to tap a device's monitor socket; the tap attaches whenever the device runs. The
   * checkbox shows the new state at once and returns to the old one when the engine rejects the request.
   */
  async tap(device: string): Promise<void> {
    this.#setTapped(device, true);
    try {
      await this.#client.request('monitor:subscribe', { device });
      this.useSnapshot.setState({ tapError: null });
    } catch (error) {
      this.#setTapped(device, false);
      this.useSnapshot.setState({ tapError: error instanceof Error ? error.message : String(error) });
    }
  }

  async untap(device: string): Promise<void> {
    this.#setTapped(device, false);
    try {
      await this.#client.request('monitor:unsubscribe', { device });
      this.useSnapshot.setState({ tapError: null });
    } catch (error) {
      this.#setTapped(device, true);
      this.useSnapshot.setState({ tapError: error instanceof Error ? error.message : String(error) });
    }
  }

  #setTapped(device: string, tapped: boolean): void {
    const devices = new Set(this.snapshot.tapped);
    if (tapped) devices.add(device);
    else devices.delete(device);
    this.useSnapshot.setState({ tapped: [...devices].sort() });
  }

  dispose(): void {
    clearInterval(this.#timer);
    this.#detach();
  }

  #publish(): void {
    this.useSnapshot.setState({ rows: this.#rows, size: this.buffer.size, dropped: this.buffer.dropped });
  }
}
