/**
 * Helpers for the engine, CLI and interop tests: polling with a deadline,
 * event recording, process checks and building small topologies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DeviceState, EventName, EventPayload } from '../../app/core/contract.js';
import type { DeviceSpec, Topology } from '../../app/core/topology.js';
import type { Engine } from '../../app/engine/engine.js';
import { isProcessAlive as isAlive } from './helpers/worker.js';

export { isAlive };

/**
 * A loopback bind on a port the OS picks. Tests bind this rather than fixed
 * ports, because fixed ports fall inside Linux's ephemeral range (32768-60999
 * by default) where any outgoing connection may hold them.
 */
export const ANY_PORT = 'tcp://127.0.0.1:*';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Polls `probe` every 20 ms until it returns a value other than undefined or false, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => T | undefined | false,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Records every payload of one engine event, in order. */
export function record<E extends EventName>(engine: Engine, event: E): Array<EventPayload<E>> {
  const payloads: Array<EventPayload<E>> = [];
  engine.on(event, (payload) => payloads.push(payload));
  return payloads;
}

/** Returns the `state` names a device went through, in order. */
export function statesOf(events: Array<EventPayload<'device:state'>>, device: string): Array<DeviceState['state']> {
  return events.filter((event) => event.device === device).map((event) => event.state.state);
}

/** Waits until none of `pids` is alive. */
export async function waitUntilGone(pids: number[], timeoutMs = 5_000): Promise<void> {
  await waitFor(`processes ${pids.join(', ')} to exit`, () => pids.every((pid) => !isAlive(pid)), timeoutMs);
}

/** Returns a ROUTER/DEALER/PUB monitored queue that binds the given endpoints. */
export function monitoredQueue(id: string, endpoints: { in: string; out: string; mon: string }, extra: Partial<DeviceSpec> = {}): DeviceSpec {
  return {
    id,
    kind: 'monitored-queue',
    in: { type: 'ROUTER', bind: [endpoints.in] },
    out: { type: 'DEALER', bind: [endpoints.out] },
    mon: { type: 'PUB', bind: [endpoints.mon] },
    ...extra,
  };
}

/** Returns a PULL/PUSH streamer that binds both sides. */
export function streamer(id: string, endpoints: { in: string; out: string }, extra: Partial<DeviceSpec> = {}): DeviceSpec {
  return {
    id,
    kind: 'streamer',
    in: { type: 'PULL', bind: [endpoints.in] },
    out: { type: 'PUSH', bind: [endpoints.out] },
    ...extra,
  };
}

export function topology(name: string, devices: DeviceSpec[]): Topology {
  return { version: 1, name, devices };
}

/** Creates a temporary folder and returns it with a function that removes it. */
export function temporaryFolder(prefix: string): { path: string; remove: () => void } {
  const path = mkdtempSync(join(tmpdir(), `switchyard-${prefix}-`));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** A `switchyard` CLI process started from the source checkout, with its output collected. */
export interface CliProcess {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts the CLI; `processGroup` makes it the leader of a new process group, as a shell does for a foreground job. */
export function startCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; processGroup?: boolean } = {}): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', join(REPO_ROOT, 'app', 'cli', 'main.ts'), ...args], {
    cwd: options.cwd ?? REPO_ROOT,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: options.processGroup ?? false,
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.on('exit', (code, signal) => resolve({ code, signal }));
  });
  return { child, stdout: () => stdout, stderr: () => stderr, exited };
}

/** Runs the CLI to completion and returns its exit code and output. */
export async function runCli(args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) {
  const cli = startCli(args, options);
  const { code } = await cli.exited;
  return { code, stdout: cli.stdout(), stderr: cli.stderr() };
}

/** Worker pids named in log lines such as `[device broker pid=4312] worker process started`. */
export function workerPidsFromLog(log: string): number[] {
  const pids = new Set<number>();
  for (const match of log.matchAll(/\[device [^\]\s]+ pid=(\d+)\]/g)) pids.add(Number(match[1]));
  return [...pids];
}

let exampleCopies = 0;

/**
 * Copies an example topology into `folder` with each fixed loopback port
 * replaced by `*`, so the OS picks free ports. `runningEndpoints` reads the
 * ports the device then bound from the runner's log.
 */
export function exampleOnFreePorts(example: string, folder: string): { path: string } {
  const text = readFileSync(join(REPO_ROOT, 'examples', example), 'utf8').replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:*');
  exampleCopies += 1;
  const path = join(folder, `${exampleCopies}-${example}`);
  writeFileSync(path, text);
  return { path };
}

/**
 * Waits for the runner's log line `[device ID pid=N] running` and returns N.
 * On timeout the error carries the runner's log, so a failure shows why.
 */
export async function waitForRunning(cli: CliProcess, device: string, timeoutMs = 20_000): Promise<number> {
  const pattern = new RegExp(`\\[device ${device} pid=(\\d+)\\] running`);
  try {
    const match = await waitFor(`device ${device} running`, () => cli.stderr().match(pattern) ?? undefined, timeoutMs);
    return Number(match[1]);
  } catch (error) {
    throw new Error(`${(error as Error).message} Runner log:\n${cli.stderr()}`);
  }
}

/**
 * Returns the bound endpoints per role from the runner's log line
 * `[device ID pid=N] running with the X relay; bound in E1; out E2; mon E3`.
 */
export function runningEndpoints(cli: CliProcess, device: string): Record<string, string[]> {
  const line = cli.stderr().match(new RegExp(`\\[device ${device} pid=\\d+\\] running with the \\S+ relay; bound (.*)$`, 'm'));
  if (!line) throw new Error(`No running line for device ${device} in the runner log:\n${cli.stderr()}`);
  const endpoints: Record<string, string[]> = {};
  for (const part of line[1]!.split('; ')) {
    const [role, list] = part.split(/ (.*)/s);
    endpoints[role!] = list!.split(', ');
  }
  return endpoints;
}
