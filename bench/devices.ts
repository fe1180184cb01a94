/**
 * Devices under test for the benchmark, each in a process of its own: the
 * Switchyard worker (native or JavaScript relay, plain or monitored queue),
 * zeromq.js's native `Proxy`, and PyZMQ's `zmq.proxy` (libzmq's C
 * `zmq_proxy`) and `zmq.devices.monitored_queue`. Most are queues (ROUTER
 * in, DEALER out, and for the monitored ones a PUB monitor). The Switchyard
 * worker and zeromq.js's `Proxy` also run as streamers (PULL in, PUSH out).
 */
import { fork, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { DeviceCounters, ResolvedDevice, WorkerToEngine } from '../app/core/worker-protocol.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Python with PyZMQ: Debian's python3-zmq is installed for /usr/bin/python3 only. */
export const PYTHON = '/usr/bin/python3';

/** Bound on starting or stopping one device process. */
const START_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 3_000;

export interface DeviceEndpoints {
  in: string;
  out: string;
  mon?: string;
}

export interface RunningDevice {
  readonly name: string;
  readonly pid: number;
  readonly endpoints: DeviceEndpoints;
  /** Milliseconds from spawn to the device's ready message. */
  readonly spawnToReadyMs: number;
  /** CPU time (user + system) the process used until it was ready, in ms; less sensitive to machine load. */
  readonly cpuToReadyMs: number;
  /** Switchyard workers only: resolves with the first counters sample taken after this call. */
  nextCounters?(): Promise<DeviceCounters>;
  stop(): Promise<void>;
}

/** `queue`: ROUTER in, DEALER out (the default). `streamer`: PULL in, PUSH out. */
export type DeviceShape = 'queue' | 'streamer';

export type DeviceKind =
  | { family: 'switchyard'; relay: 'native' | 'javascript'; monitored: boolean; entry: WorkerEntry; shape?: DeviceShape }
  | { family: 'zeromq-proxy'; shape?: DeviceShape }
  | { family: 'pyzmq'; monitored: boolean };

export interface WorkerEntry {
  /**
   * `source` runs app/worker/main.ts through tsx, `dist` the tsc output, and
   * `bundle` the esbuild bundle that the compiled engine starts.
   */
  name: 'source' | 'dist' | 'bundle';
  path: string;
  execArgv: string[];
}

/** Newest modification time of the .ts files in the folders the worker is built from. */
function newestWorkerSource(): number {
  let newest = 0;
  for (const folder of ['core', 'worker']) {
    const path = join(root, 'app', folder);
    for (const name of readdirSync(path)) {
      if (name.endsWith('.ts')) newest = Math.max(newest, statSync(join(path, name)).mtimeMs);
    }
  }
  return newest;
}

const COMPILED_WORKER = join(root, 'dist', 'app', 'worker', 'main.js');
const BUNDLED_WORKER = join(root, 'dist', 'app', 'worker-bundle', 'main.cjs');

function isCurrent(path: string): boolean {
  return existsSync(path) && statSync(path).mtimeMs >= newestWorkerSource();
}

/**
 * Compiles the project with tsc and bundles the worker with
 * scripts/build-worker.mjs when either output is missing or older than the
 * worker's sources, so the benchmark never measures a stale worker. tsc still
 * writes its output when other files have type errors, so only a missing or
 * still-stale output counts as a failure.
 */
export function ensureCompiledWorker(): { compiled: boolean; error?: string } {
  if (isCurrent(COMPILED_WORKER) && isCurrent(BUNDLED_WORKER)) return { compiled: false };

  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.json')], { encoding: 'utf8' });
  if (!isCurrent(COMPILED_WORKER)) {
    return { compiled: false, error: `tsc exited with ${result.status}: ${(result.stdout ?? '').split('\n').slice(0, 5).join(' ')}` };
  }
  const bundle = spawnSync(process.execPath, [join(root, 'scripts', 'build-worker.mjs')], { encoding: 'utf8' });
  if (!isCurrent(BUNDLED_WORKER)) {
    return { compiled: false, error: `scripts/build-worker.mjs exited with ${bundle.status}: ${(bundle.stderr ?? '').split('\n').slice(0, 5).join(' ')}` };
  }
  return { compiled: true };
}

export function workerEntries(): WorkerEntry[] {
  const entries: WorkerEntry[] = [
    { name: 'source', path: join(root, 'app', 'worker', 'main.ts'), execArgv: ['--import', 'tsx'] },
  ];
  if (existsSync(COMPILED_WORKER)) entries.push({ name: 'dist', path: COMPILED_WORKER, execArgv: [] });
  if (existsSync(BUNDLED_WORKER)) entries.push({ name: 'bundle', path: BUNDLED_WORKER, execArgv: [] });
  return entries;
}

/** Returns PyZMQ's and its libzmq's versions, or undefined when `/usr/bin/python3 -c 'import zmq'` fails. */
export function pyzmqVersions(): { pyzmq: string; zmq: string } | undefined {
  const result = spawnSync(PYTHON, ['-c', 'import zmq; print(zmq.pyzmq_version(), zmq.zmq_version())'], {
    encoding: 'utf8',
  });
  if (result.status !== 0) return undefined;
  const [pyzmq, zmq] = result.stdout.trim().split(' ');
  return pyzmq && zmq ? { pyzmq, zmq } : undefined;
}

/** Reads VmRSS and VmHWM (peak) of a process from /proc, in MiB. */
export function readMemory(pid: number): { rssMiB: number; peakMiB: number } | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string): number => {
      const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
      return match ? Number(match[1]) / 1024 : NaN;
    };
    return { rssMiB: field('VmRSS'), peakMiB: field('VmHWM') };
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc/PID/stat times; 100 on Linux for x86-64 and arm64. */
const CLOCK_TICKS_PER_SECOND = 100;

/** Reads the CPU time (user + system) a process used so far, in ms, or NaN without /proc. */
export function readCpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name, which is in parentheses and may contain spaces.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return NaN;
  }
}

/** Starts a device whose sockets bind the given endpoints (wildcard tcp ports allowed). */
export function startDevice(name: string, kind: DeviceKind, endpoints: DeviceEndpoints): Promise<RunningDevice> {
  switch (kind.family) {
    case 'switchyard':
      return startWorker(name, kind, endpoints);
    case 'zeromq-proxy':
      return startZeromqProxy(name, kind.shape ?? 'queue', endpoints);
    case 'pyzmq':
      return startPyzmq(name, kind.monitored, endpoints);
  }
}

function deviceSpec(id: string, shape: DeviceShape, monitored: boolean, endpoints: DeviceEndpoints): ResolvedDevice {
  const socket = (type: 'ROUTER' | 'DEALER' | 'PULL' | 'PUSH' | 'PUB', bind: string) => ({ type, bind: [bind], connect: [], options: {} });
  const streamer = shape === 'streamer';
  let kind: ResolvedDevice['kind'] = streamer ? 'streamer' : 'queue';
  if (monitored) kind = 'monitored-queue';
  const device: ResolvedDevice = {
    id,
    kind,
    in: socket(streamer ? 'PULL' : 'ROUTER', endpoints.in),
    out: socket(streamer ? 'PUSH' : 'DEALER', endpoints.out),
    prefix: { in: 'in', out: 'out' },
  };
  if (monitored && endpoints.mon) device.mon = socket('PUB', endpoints.mon);
  return device;
}

async function startWorker(
  name: string,
  kind: Extract<DeviceKind, { family: 'switchyard' }>,
  endpoints: DeviceEndpoints,
): Promise<RunningDevice> {
  const started = performance.now();
  const child = fork(kind.entry.path, [name], {
    execArgv: kind.entry.execArgv,
    env: { ...process.env, SWITCHYARD_RELAY: kind.relay },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    serialization: 'json',
  });
  child.send({ type: 'start', device: deviceSpec(name, kind.shape ?? 'queue', kind.monitored, endpoints) });

  const ready = await waitFor(child, name, (message) => {
    const parsed = message as WorkerToEngine;
    if (parsed.type === 'failed') throw new Error(`Device ${name} failed to start: ${parsed.message}`);
    if (parsed.type !== 'ready') return undefined;
    if (parsed.relay !== kind.relay) {
      throw new Error(`Device ${name} started the ${parsed.relay} relay, not the ${kind.relay} one. Run npm run build:native.`);
    }
    return parsed;
  });
  const spawnToReadyMs = performance.now() - started;
  const cpuToReadyMs = readCpuMs(child.pid ?? -1);

  const nextCounters = (): Promise<DeviceCounters> => {
    const since = Date.now();
    return waitFor(child, name, (message) => {
      const parsed = message as WorkerToEngine;
      return parsed.type === 'counters' && parsed.counters.at >= since ? parsed.counters : undefined;
    });
  };

  return {
    name,
    pid: child.pid ?? -1,
    spawnToReadyMs,
    cpuToReadyMs,
    nextCounters,
    endpoints: {
      in: ready.endpoints.in?.[0] ?? endpoints.in,
      out: ready.endpoints.out?.[0] ?? endpoints.out,
      ...(ready.endpoints.mon?.[0] ? { mon: ready.endpoints.mon[0] } : {}),
    },
    stop: () => stopChild(child, () => child.send({ type: 'stop' })),
  };
}

async function startZeromqProxy(name: string, shape: DeviceShape, endpoints: DeviceEndpoints): Promise<RunningDevice> {
  const started = performance.now();
  const child = fork(join(root, 'bench', 'anchors', 'zeromq-proxy.ts'), [endpoints.in, endpoints.out, shape], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const ready = await waitFor(child, name, (message) => (message as { ready?: DeviceEndpoints }).ready);
  return {
    name,
    pid: child.pid ?? -1,
    spawnToReadyMs: performance.now() - started,
    cpuToReadyMs: readCpuMs(child.pid ?? -1),
    endpoints: ready,
    stop: () => stopChild(child, () => child.kill('SIGTERM')),
  };
}

async function startPyzmq(name: string, monitored: boolean, endpoints: DeviceEndpoints): Promise<RunningDevice> {
  const started = performance.now();
  const args = [join(root, 'bench', 'anchors', 'pyzmq_device.py'), monitored ? 'monitored' : 'proxy', endpoints.in, endpoints.out];
  if (monitored && endpoints.mon) args.push(endpoints.mon);
  const child = spawn(PYTHON, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<DeviceEndpoints>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Device ${name} did not print its endpoints within ${START_TIMEOUT_MS} ms.`)), START_TIMEOUT_MS);
    child.once('exit', (code) => reject(new Error(`Device ${name} exited with code ${code} before it was ready.`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve((JSON.parse(line) as { ready: DeviceEndpoints }).ready);
    });
  });
  return {
    name,
    pid: child.pid ?? -1,
    spawnToReadyMs: performance.now() - started,
    cpuToReadyMs: readCpuMs(child.pid ?? -1),
    endpoints: ready,
    stop: () => stopChild(child, () => child.kill('SIGTERM')),
  };
}

/** Waits for the first IPC message that `accept` maps to a value, within START_TIMEOUT_MS. */
function waitFor<T>(child: ChildProcess, name: string, accept: (message: unknown) => T | undefined): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`Device ${name} was not ready within ${START_TIMEOUT_MS} ms.`));
    }, START_TIMEOUT_MS);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`Device ${name} exited with code ${code} before it was ready.`));
    };
    const onMessage = (message: unknown) => {
      try {
        const value = accept(message);
        if (value === undefined) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(value);
      } catch (error) {
        clearTimeout(timer);
        child.kill('SIGKILL');
        reject(error as Error);
      }
    };
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks a child to stop, then kills it with SIGKILL when it has not exited after STOP_TIMEOUT_MS. */
function stopChild(child: ChildProcess, ask: () => void): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    try {
      ask();
    } catch {
      child.kill('SIGKILL');
    }
  });
}
