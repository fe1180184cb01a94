/**
 * Entry point of a device worker: one OS process per device, started by the
 * engine with `child_process.fork` or Electron's `utilityProcess`.
 *
 * Protocol (see `app/core/worker-protocol.ts`): the engine sends `start` with
 * the resolved device, and the worker replies `ready` or `failed`. A running
 * worker sends `counters` every 250 ms and `paused`/`resumed` on every switch.
 * It sends `stopped` before it exits with code 0. Exit codes: 0 after `stopped` or when the
 * parent is gone, 1 after `failed` or an internal error, 2 when the process
 * was not started by a parent with an IPC channel.
 */
import { engineToWorkerSchema, type ResolvedDevice, type WorkerToEngine } from '../core/worker-protocol.js';
import { connectToParent, watchParent, type ParentChannel } from './channel.js';
import { describeError, RelaySetupError, startRelay, type RelayEvents, type StartedRelay } from './relay.js';

/** Interval of `counters` messages; the engine expects one at least every 500 ms. */
const COUNTERS_INTERVAL_MS = 250;

/** Bound on closing the sockets when the parent is gone; the worker exits after it either way. */
const ORPHAN_STOP_TIMEOUT_MS = 1000;

type WorkerState =
  | { phase: 'idle' }
  | { phase: 'starting'; stopRequested: boolean }
  | { phase: 'running'; relay: StartedRelay; countersTimer: NodeJS.Timeout }
  | { phase: 'exiting' };

let state: WorkerState = { phase: 'idle' };
let channel: ParentChannel;

function main(): void {
  const parent = connectToParent();
  if (!parent) {
    process.stderr.write(
      'This is the Switchyard device worker, which the engine starts with an IPC channel. ' +
        'Run a topology with `switchyard run FILE` instead.\n',
    );
    process.exit(2);
  }
  channel = parent;

  process.on('uncaughtException', (error) => void failAndExit(error));
  process.on('unhandledRejection', (error) => void failAndExit(error));

  watchParent((reason) => void exitOrphaned(reason));

  channel.onMessage((message) => void handleMessage(message));
}

function send(message: WorkerToEngine): Promise<void> {
  return channel.send(message);
}

function log(level: 'debug' | 'info' | 'warn' | 'error', message: string): void {
  void send({ type: 'log', level, message });
}

const relayEvents: RelayEvents = {
  paused: () => void send({ type: 'paused' }),
  resumed: () => void send({ type: 'resumed' }),
  log,
};

async function handleMessage(raw: unknown): Promise<void> {
  const parsed = engineToWorkerSchema.safeParse(raw);
  if (!parsed.success) {
    // Only paths and issue codes, because the values may contain secrets.
    const issues = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.code}`).join('; ');
    log('warn', `Ignored an invalid message from the engine (${issues}).`);
    return;
  }

  const message = parsed.data;
  switch (message.type) {
    case 'start':
      await start(message.device);
      return;
    case 'pause':
    case 'resume':
      if (state.phase !== 'running') {
        log('warn', `Ignored "${message.type}" because the device is not running.`);
        return;
      }
      if (message.type === 'pause') state.relay.handle.pause();
      else state.relay.handle.resume();
      return;
    case 'stop':
      await stop();
      return;
  }
}

async function start(device: ResolvedDevice): Promise<void> {
  if (state.phase !== 'idle') {
    log('warn', `Ignored "start" for device "${device.id}" because this worker already started a device.`);
    return;
  }
  state = { phase: 'starting', stopRequested: false };

  let relay: StartedRelay;
  try {
    relay = await startRelay(device, relayEvents, process.env);
  } catch (error) {
    await reportStartFailure(device, error);
    return;
  }

  const stopRequested = state.phase === 'starting' && state.stopRequested;
  const countersTimer = setInterval(() => {
    void send({ type: 'counters', counters: relay.handle.counters() });
  }, COUNTERS_INTERVAL_MS);
  state = { phase: 'running', relay, countersTimer };

  relay.handle.done.then(
    (reason) => void exitStopped(reason),
    (error: unknown) => void failAndExit(error),
  );

  // The engine logs the start from this message, with the relay and the bound endpoints.
  await send({ type: 'ready', endpoints: relay.handle.endpoints, relay: relay.name });

  if (stopRequested) await stop();
}

async function reportStartFailure(device: ResolvedDevice, error: unknown): Promise<void> {
  state = { phase: 'exiting' };
  const failed: WorkerToEngine = { type: 'failed', message: describeError(error) };
  if (error instanceof RelaySetupError) {
    if (error.role !== undefined) failed.role = error.role;
    if (error.endpoint !== undefined) failed.endpoint = error.endpoint;
    if (error.code !== undefined) failed.code = error.code;
  } else {
    failed.message = `Device "${device.id}" failed to start: ${describeError(error)}`;
  }
  await send(failed);
  process.exit(1);
}

async function stop(): Promise<void> {
  switch (state.phase) {
    case 'idle':
      await exitStopped('stop');
      return;
    case 'starting':
      state.stopRequested = true;
      return;
    case 'running':
      // exitStopped runs when `done` settles.
      await state.relay.handle.stop();
      return;
    case 'exiting':
      return;
  }
}

/** Sends the last counters and `stopped`, then exits with code 0. */
async function exitStopped(reason: 'stop' | 'terminate'): Promise<void> {
  const previous = state;
  if (previous.phase === 'exiting') return;
  state = { phase: 'exiting' };

  if (previous.phase === 'running') {
    clearInterval(previous.countersTimer);
    await send({ type: 'counters', counters: previous.relay.handle.counters() });
  }
  await send({ type: 'stopped', reason });
  process.exit(0);
}

/** Reports an unexpected error as a `log` message and exits with code 1. */
async function failAndExit(error: unknown): Promise<void> {
  const previous = state;
  state = { phase: 'exiting' };
  if (previous.phase === 'running') clearInterval(previous.countersTimer);

  const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
  await send({ type: 'log', level: 'error', message: `The worker failed and exits: ${detail}` });
  process.exit(1);
}

/** Closes the sockets within a bound and exits, because no one is left to report to. */
async function exitOrphaned(reason: string): Promise<void> {
  process.stderr.write(`Switchyard worker ${process.pid} exits because ${reason}.\n`);
  const previous = state;
  state = { phase: 'exiting' };

  if (previous.phase === 'running') {
    clearInterval(previous.countersTimer);
    const deadline = new Promise((resolve) => setTimeout(resolve, ORPHAN_STOP_TIMEOUT_MS).unref());
    await Promise.race([previous.relay.handle.stop(), deadline]);
  }
  process.exit(0);
}

main();
