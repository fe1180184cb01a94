/**
 * `switchyard run FILE [--device ID]... [--monitor]`: runs a topology headless
 * until SIGINT or SIGTERM, or until no device is left running.
 */
import type { DeviceState, MonitorMessage } from '../core/contract.js';
import { closestName } from '../core/suggest.js';
import { formatFrameText } from '../core/monitor-buffer.js';
import { Engine } from '../engine/engine.js';
import { ChildProcessHost } from '../engine/host.js';
import { Logger, printingSink } from '../engine/logger.js';
import { untappableReason } from '../engine/tap.js';
import { countErrors, formatProblem, loadTopologyFile } from './load.js';
import { EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, requireFile, type Output } from './usage.js';

export const RUN_HELP = `Usage: switchyard run FILE [--device ID]... [--monitor]

Starts every device of the topology in FILE (or only those named with
--device), each in its own process, and logs state changes and errors with the
device id and process id to standard error. Stops every device and exits 0 on
SIGINT (Ctrl-C) or SIGTERM. Exits by itself when no device is left running:
0 when all stopped cleanly (for example by TERMINATE on a ctrl socket), 1 when
one failed or crashed without a restart.

Options:
  -d, --device ID   Start only this device; repeat for several.
  -m, --monitor     Print each message of every tappable monitor socket to
                    standard output as one line: time, device, prefix, frames.
                    Frames are shown as text when they are printable UTF-8,
                    as 0x-prefixed hex otherwise, and "" when empty.
  -v, --verbose     Also log debug entries.
  -h, --help        Print this help.`;

export async function runCommand(argv: string[], output: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('run', argv, {
    device: { type: 'string', short: 'd', multiple: true },
    monitor: { type: 'boolean', short: 'm' },
    verbose: { type: 'boolean', short: 'v' },
    help: { type: 'boolean', short: 'h' },
  }, { device: 'broker' });
  if (values.help) {
    output.out(RUN_HELP);
    return EXIT_OK;
  }
  const file = requireFile('run', positionals);

  const loaded = await loadTopologyFile(file);
  for (const problem of loaded.problems) output.err(formatProblem(file, problem));
  const errors = countErrors(loaded.problems);
  if (!loaded.ok || errors > 0) {
    output.err(`${file}: not started because it has ${errors} error(s). Fix them and run again.`);
    return EXIT_FAILURE;
  }
  const document = loaded.document;
  const known = new Set(document.devices.map((device) => device.id));
  for (const id of values.device ?? []) {
    if (!known.has(id)) {
      const closest = closestName(id, known);
      const hint = closest ? ` Did you mean "${closest}"?` : '';
      throw new UsageError(`No device "${id}" in ${file}.${hint} Its devices are: ${[...known].join(', ') || 'none'}.`, 'run');
    }
  }
  const selected = values.device ?? [...known];
  if (selected.length === 0) {
    output.err(`${file} has no devices, so there is nothing to run.`);
    return EXIT_FAILURE;
  }

  const logger = new Logger();
  logger.addSink(printingSink(output.err, values.verbose ? 'debug' : 'info'));
  const engine = new Engine({ host: new ChildProcessHost(), logger });
  const finished = watchUntilFinished(engine, selected);
  const stopSignals = onStopSignal(() => finished.stop(EXIT_OK));
  // A reader that goes away (`switchyard run --monitor | head`) ends the run like Ctrl-C.
  const onStdoutError = (error: NodeJS.ErrnoException): void => {
    if (error.code === 'EPIPE') finished.stop(EXIT_OK);
    else logger.error('run', `writing to standard output failed: ${error.message}`);
  };
  process.stdout.on('error', onStdoutError);
  const drops = new DropReporter(logger);

  try {
    await engine.handle('document:replace', { document });
    if (values.monitor) {
      engine.on('monitor:batch', (batch) => {
        for (const message of batch.messages) output.out(formatMonitorLine(message));
        drops.add(batch.device, batch.dropped);
      });
      for (const device of document.devices.filter((candidate) => selected.includes(candidate.id))) {
        const reason = untappableReason(device.id, device.mon);
        if (reason) {
          if (device.mon) logger.warn('run', reason);
          else logger.info('run', `device "${device.id}" has no monitor socket, so --monitor prints nothing for it`);
          continue;
        }
        await engine.handle('monitor:subscribe', { device: device.id });
      }
    }
    logger.info('run', `starting ${selected.map((id) => `"${id}"`).join(', ')} from ${file}`);
    await engine.handle('device:start', { ids: selected });
    finished.check();
    return await finished.code;
  } finally {
    stopSignals();
    await engine.close();
    process.stdout.off('error', onStdoutError);
    drops.flush();
  }
}

/**
 * Watches device states. `code` resolves when `stop` is called or when none
 * of `ids` is active any more. `check` tests the current states once, which
 * covers a start where every device failed before anyone listened.
 */
function watchUntilFinished(engine: Engine, ids: string[]) {
  const states = new Map<string, DeviceState>();
  let settle: (code: number) => void = () => undefined;
  const code = new Promise<number>((resolve) => {
    settle = resolve;
  });

  const check = (): void => {
    const current = ids.map((id) => states.get(id) ?? { state: 'starting' as const });
    if (current.some(isActive)) return;
    settle(current.every((state) => state.state === 'stopped') ? EXIT_OK : EXIT_FAILURE);
  };
  engine.on('device:state', ({ device, state }) => {
    states.set(device, state);
    if (ids.includes(device)) check();
  });
  return { code, check, stop: (exitCode: number) => settle(exitCode) };
}

/** Logs the monitor messages a tap dropped, summed per device: at most once per interval, and on `flush`. */
class DropReporter {
  private readonly pending = new Map<string, number>();
  private lastReport = 0;

  constructor(
    private readonly logger: Logger,
    private readonly intervalMs = 5_000,
  ) {}

  add(device: string, dropped: number): void {
    if (dropped === 0) return;
    this.pending.set(device, (this.pending.get(device) ?? 0) + dropped);
    if (Date.now() - this.lastReport >= this.intervalMs) this.flush();
  }

  flush(): void {
    this.lastReport = Date.now();
    for (const [id, count] of this.pending) {
      this.logger.warn(`tap ${id}`, `dropped ${count} monitor message(s): more arrived in one interval than a tap batch takes, so they were not printed`);
    }
    this.pending.clear();
  }
}

function isActive(state: DeviceState): boolean {
  if (state.state === 'crashed') return state.restartInMs !== undefined;
  return state.state !== 'stopped' && state.state !== 'failed';
}

/** Calls `handler` on the first SIGINT or SIGTERM and returns a function that removes the handlers. */
function onStopSignal(handler: () => void): () => void {
  const listener = (): void => handler();
  process.on('SIGINT', listener);
  process.on('SIGTERM', listener);
  return () => {
    process.off('SIGINT', listener);
    process.off('SIGTERM', listener);
  };
}

/** Formats one monitor message: `12:00:01.123 broker in 0x0080000001 | "" | hello`. */
export function formatMonitorLine(message: MonitorMessage): string {
  const time = new Date(message.at).toISOString().slice(11, 23);
  const frames = message.frames.map((frame) => formatFrameText(Buffer.from(frame, 'base64')));
  return `${time} ${message.device} ${message.prefix} ${frames.join(' | ')}`;
}
