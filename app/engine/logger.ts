/**
 * The engine's structured log. Every entry carries its source (`engine`,
 * `device broker pid=4312`, `tap broker`) and goes to every sink: the CLI
 * prints it, the engine turns it into `log:entry` events for the UI.
 */
import type { LogEntry } from '../core/contract.js';

export type LogLevel = LogEntry['level'];
export type LogSink = (entry: LogEntry) => void;

const LEVEL_ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/**
 * Repeats of one source and message within this window are counted, not
 * logged; the count is logged before the next different entry.
 */
const REPEAT_WINDOW_MS = 5_000;

export class Logger {
  private readonly sinks = new Set<LogSink>();
  private last: { source: string; message: string; at: number; repeats: number; level: LogLevel } | null = null;

  /** Adds a sink and returns a function that removes it. */
  addSink(sink: LogSink): () => void {
    this.sinks.add(sink);
    return () => this.sinks.delete(sink);
  }

  debug(source: string, message: string): void {
    this.write('debug', source, message);
  }

  info(source: string, message: string): void {
    this.write('info', source, message);
  }

  warn(source: string, message: string): void {
    this.write('warn', source, message);
  }

  error(source: string, message: string): void {
    this.write('error', source, message);
  }

  write(level: LogLevel, source: string, message: string): void {
    const at = Date.now();
    const last = this.last;
    if (last && last.source === source && last.message === message && at - last.at < REPEAT_WINDOW_MS) {
      last.repeats += 1;
      return;
    }
    this.flushRepeats(at);
    this.last = { source, message, at, repeats: 0, level };
    this.emit({ at, level, source, message });
  }

  private flushRepeats(at: number): void {
    const last = this.last;
    if (!last || last.repeats === 0) return;
    const times = last.repeats === 1 ? 'once more' : `${last.repeats} more times`;
    this.emit({ at, level: last.level, source: last.source, message: `The previous message repeated ${times}.` });
    last.repeats = 0;
  }

  private emit(entry: LogEntry): void {
    for (const sink of this.sinks) sink(entry);
  }
}

/** Formats an entry as one line: `12:00:01.123 info  [device broker pid=4312] running`. */
export function formatLogEntry(entry: LogEntry): string {
  const time = new Date(entry.at).toISOString().slice(11, 23);
  return `${time} ${entry.level.padEnd(5)} [${entry.source}] ${entry.message}`;
}

/** Returns a sink that prints entries at or above `minimum` with `print`. */
export function printingSink(print: (line: string) => void, minimum: LogLevel = 'info'): LogSink {
  return (entry) => {
    if (LEVEL_ORDER[entry.level] >= LEVEL_ORDER[minimum]) print(formatLogEntry(entry));
  };
}
