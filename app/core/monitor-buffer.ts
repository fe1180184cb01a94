/**
 * The live monitor's message history: a buffer capped by message count and by
 * payload bytes, filters, frame formatting and the JSON-lines capture format.
 * Framework-free so that the renderer can keep it outside React state and the
 * unit tests can run it under Node.
 */
import { monitorMessageSchema, type MonitorBatch, type MonitorMessage } from './contract.js';

/** One message in the history, numbered in arrival order. */
export interface MonitorRow extends MonitorMessage {
  /** Arrival number, unique for the life of the buffer, so it serves as a stable React key. */
  seq: number;
}

export interface MonitorBufferLimits {
  /** Maximum number of messages kept. */
  maxMessages: number;
  /** Maximum sum of the messages' `bytes` (frame payload bytes after the prefix). */
  maxBytes: number;
}

export const DEFAULT_MONITOR_LIMITS: MonitorBufferLimits = { maxMessages: 50_000, maxBytes: 64 * 1024 * 1024 };

/**
 * Bounded history of monitor messages. Appending past a limit evicts the
 * oldest messages and counts them in `evicted`. Messages that the engine's
 * tap did not forward are counted in `tapDropped`.
 */
export class MonitorBuffer {
  readonly limits: MonitorBufferLimits;
  /** Messages evicted from this buffer to stay within `limits`. */
  evicted = 0;
  /** Messages the engine's taps received but did not forward, as reported in batches. */
  tapDropped = 0;
  /** Increments on every change, so that a view can skip a redraw when it did not move. */
  version = 0;

  #rows: MonitorRow[] = [];
  #start = 0;
  #bytes = 0;
  #nextSeq = 1;

  constructor(limits: MonitorBufferLimits = DEFAULT_MONITOR_LIMITS) {
    if (!(limits.maxMessages >= 1) || !(limits.maxBytes >= 1)) {
      throw new RangeError(
        `Invalid monitor buffer limits ${JSON.stringify(limits)}: maxMessages and maxBytes must be at least 1.`,
      );
    }
    this.limits = limits;
  }

  /** Number of messages kept. */
  get size(): number {
    return this.#rows.length - this.#start;
  }

  /** Sum of the kept messages' `bytes`. */
  get bytes(): number {
    return this.#bytes;
  }

  /** All messages dropped before they could be shown: evicted here plus dropped by the taps. */
  get dropped(): number {
    return this.evicted + this.tapDropped;
  }

  /** Arrival number of the oldest kept message, or of the next message when the buffer is empty. */
  get oldestSeq(): number {
    return this.#rows[this.#start]?.seq ?? this.#nextSeq;
  }

  /**
   * Appends batches in the order given by `mergeBatches`, then evicts down to
   * the limits. Returns the appended rows, as `append` does.
   */
  appendBatches(batches: readonly MonitorBatch[]): MonitorRow[] {
    if (batches.length === 0) return [];
    const merged = mergeBatches(batches);
    this.tapDropped += merged.dropped;
    return this.append(merged.messages);
  }

  /**
   * Appends messages in the given order, then evicts the oldest down to the
   * limits. Returns the appended rows, including any that were evicted at
   * once (their `seq` is below `oldestSeq`).
   */
  append(messages: readonly MonitorMessage[]): MonitorRow[] {
    const appended: MonitorRow[] = [];
    for (const message of messages) {
      const row = { ...message, seq: this.#nextSeq++ };
      this.#rows.push(row);
      appended.push(row);
      this.#bytes += message.bytes;
    }
    this.#evict();
    this.version++;
    return appended;
  }

  /** Returns the kept messages, oldest first. The array is a copy. */
  rows(): MonitorRow[] {
    return this.#rows.slice(this.#start);
  }

  /** Removes every message and resets the dropped counts. */
  clear(): void {
    this.#rows = [];
    this.#start = 0;
    this.#bytes = 0;
    this.evicted = 0;
    this.tapDropped = 0;
    this.version++;
  }

  #evict(): void {
    const { maxMessages, maxBytes } = this.limits;
    // The newest message stays even when it alone is larger than maxBytes, so
    // that a huge message is still visible. It goes when the next one arrives.
    while (this.size > 1 && (this.size > maxMessages || this.#bytes > maxBytes)) {
      const oldest = this.#rows[this.#start]!;
      this.#bytes -= oldest.bytes;
      this.#start++;
      this.evicted++;
    }
    // Compact lazily so that eviction stays O(1) per message.
    if (this.#start > 1024 && this.#start * 2 > this.#rows.length) {
      this.#rows = this.#rows.slice(this.#start);
      this.#start = 0;
    }
  }
}

/**
 * Merges batches from several devices into one list ordered by `at`. The sort
 * is stable, so messages with equal times keep their order inside a batch and
 * batches keep the order they arrived in.
 */
export function mergeBatches(batches: readonly MonitorBatch[]): { messages: MonitorMessage[]; dropped: number } {
  const messages: MonitorMessage[] = [];
  let dropped = 0;
  for (const batch of batches) {
    dropped += batch.dropped;
    for (const message of batch.messages) messages.push(message);
  }
  if (batches.length > 1) messages.sort((a, b) => a.at - b.at);
  return { messages, dropped };
}

export interface MonitorFilter {
  /** Device id to keep, or empty for every device. */
  device?: string;
  /** Prefix to keep, or empty for every prefix. */
  prefix?: string;
  /** JavaScript regular expression tested against the row's frames as text (see `rowText`). */
  pattern?: string;
  /** Whether `pattern` ignores case. */
  ignoreCase?: boolean;
}

export type CompiledFilter =
  | { ok: true; test: (message: MonitorMessage) => boolean }
  | { ok: false; message: string };

/**
 * Compiles a filter. An invalid regular expression returns `ok: false` with a
 * message for the user instead of throwing.
 */
export function compileFilter(filter: MonitorFilter): CompiledFilter {
  const device = filter.device ?? '';
  const prefix = filter.prefix ?? '';
  const pattern = filter.pattern ?? '';
  let regex: RegExp | undefined;
  if (pattern !== '') {
    try {
      regex = new RegExp(pattern, filter.ignoreCase ? 'i' : '');
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      return {
        ok: false,
        message: `Invalid regular expression "${pattern}": ${reason}. Fix the pattern or clear it to see every message.`,
      };
    }
  }
  return {
    ok: true,
    test(message) {
      if (device !== '' && message.device !== device) return false;
      if (prefix !== '' && message.prefix !== prefix) return false;
      if (regex && !regex.test(rowText(message))) return false;
      return true;
    },
  };
}

/** Returns the messages that pass `filter`, or the filter's error message. */
export function filterRows<T extends MonitorMessage>(
  rows: readonly T[],
  filter: MonitorFilter,
): { ok: true; rows: T[] } | { ok: false; message: string } {
  const compiled = compileFilter(filter);
  if (!compiled.ok) return compiled;
  return { ok: true, rows: rows.filter(compiled.test) };
}

export type FrameFormat = 'text' | 'hex' | 'json';

/** Frames longer than this many bytes are cut in the formatted views, with the rest counted. */
export const MAX_FORMATTED_FRAME_BYTES = 4096;

/** Decodes a base64 frame as carried by `MonitorMessage.frames`. */
export function decodeFrame(base64: string): Uint8Array {
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Encodes bytes as base64, the inverse of `decodeFrame`. */
export function encodeFrame(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

// ignoreBOM keeps a leading byte order mark in the text, so that text and bytes stay one to one.
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Formats a whole frame on one line, as the monitor's rows and the CLI's
 * `--monitor` output show it: printable UTF-8 as it is, an empty frame as
 * `""`, and anything else as `0x` plus hex, such as `0x006b8b4567`. Text with
 * a control character other than tab counts as binary, so newlines are shown
 * in hex and one message stays on one line.
 */
export function formatFrameText(bytes: Uint8Array): string {
  return formatText(bytes, false);
}

/**
 * Formats one frame. `text` follows `formatFrameText`. `hex` shows bytes as
 * hex pairs. `json` pretty-prints a frame that parses as JSON, shows other
 * UTF-8 as a JSON string, and binary as the `0x` hex string. Frames longer than
 * `MAX_FORMATTED_FRAME_BYTES` are cut, with the rest counted.
 */
export function formatFrame(base64: string, format: FrameFormat): string {
  const all = decodeFrame(base64);
  const bytes = all.length > MAX_FORMATTED_FRAME_BYTES ? all.subarray(0, MAX_FORMATTED_FRAME_BYTES) : all;
  const rest = all.length - bytes.length;
  const suffix = rest > 0 ? ` … (${rest} more bytes)` : '';

  if (format === 'hex') return formatHex(bytes) + suffix;

  if (format === 'text') return formatText(bytes, rest > 0) + suffix;

  const utf8 = tryUtf8(bytes, rest > 0);
  if (utf8 !== undefined && rest === 0) {
    try {
      return JSON.stringify(JSON.parse(utf8), null, 2);
    } catch {
      // Not JSON: fall through to the string form.
    }
  }
  // JSON.stringify escapes control characters, so any UTF-8 text can be shown as a string.
  return JSON.stringify(utf8 ?? formatText(bytes, rest > 0)) + suffix;
}

/** Returns every frame of a message in one format. */
export function formatFrames(message: MonitorMessage, format: FrameFormat): string[] {
  return message.frames.map((frame) => formatFrame(frame, format));
}

/** Joins the frames in the text format with " | ", as the monitor row shows them. Filters match this text. */
export function rowText(message: MonitorMessage): string {
  return formatFrames(message, 'text').join(' | ');
}

/** Decodes strict UTF-8. With `partial`, an incomplete sequence at the end, where a long frame was cut, is dropped. */
function tryUtf8(bytes: Uint8Array, partial = false): string | undefined {
  try {
    return partial ? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes, { stream: true }) : strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
}

function formatText(bytes: Uint8Array, partial: boolean): string {
  if (bytes.length === 0) return '""';
  const utf8 = tryUtf8(bytes, partial);
  if (utf8 !== undefined && !hasControlCharacters(utf8)) return utf8;
  return `0x${formatHex(bytes, '')}`;
}

/** Returns whether text contains a C0 control character other than tab, or DEL. */
function hasControlCharacters(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09) || code === 0x7f) return true;
  }
  return false;
}

function formatHex(bytes: Uint8Array, separator = ' '): string {
  const pairs: string[] = [];
  for (const byte of bytes) pairs.push(byte.toString(16).padStart(2, '0'));
  return pairs.join(separator);
}

/** Formats `at` (milliseconds since the epoch) as local `HH:MM:SS.mmm`. */
export function formatTime(at: number): string {
  const date = new Date(at);
  const pad = (value: number, width = 2) => String(value).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Formats a byte count as `41 B`, `1.5 KiB` or `2.0 MiB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/**
 * Writes a capture as JSON lines: one `MonitorMessage` object per line with
 * frames in base64, plus `time` as an ISO 8601 string for people reading it.
 */
export function toJsonLines(messages: readonly MonitorMessage[]): string {
  let out = '';
  for (const message of messages) {
    const line = {
      time: new Date(message.at).toISOString(),
      at: message.at,
      device: message.device,
      prefix: message.prefix,
      frames: message.frames,
      bytes: message.bytes,
    };
    out += JSON.stringify(line) + '\n';
  }
  return out;
}

/**
 * Reads a capture written by `toJsonLines`. Throws an error naming the line
 * number when a line is not valid JSON or not a monitor message.
 */
export function fromJsonLines(text: string): MonitorMessage[] {
  const messages: MonitorMessage[] = [];
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!.trim();
    if (line === '') continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      throw new Error(`Invalid capture line ${index + 1}: ${reason}. Each line must be one JSON object.`);
    }
    if (typeof value === 'object' && value !== null && 'time' in value) {
      const { time: _time, ...rest } = value as Record<string, unknown>;
      value = rest;
    }
    const parsed = monitorMessageSchema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const where = issue ? `${issue.path.join('.') || 'line'}: ${issue.message}` : 'not a monitor message';
      throw new Error(`Invalid capture line ${index + 1} (${where}). Expected at, device, prefix, frames and bytes.`);
    }
    messages.push(parsed.data);
  }
  return messages;
}
