/**
 * Device hosts: how the engine starts one OS process per device. The engine
 * uses only `DeviceHost` and `DeviceProcess`, so the same supervisor drives a
 * `child_process.fork` here and an Electron `utilityProcess` in the desktop app.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import type { EngineToWorker } from '../core/worker-protocol.js';

/** One running worker process, as the supervisor drives it. */
export interface DeviceProcess {
  readonly pid: number | undefined;
  send(message: EngineToWorker): void;
  onMessage(listener: (message: unknown) => void): void;
  onExit(listener: (code: number | null, signal: string | null) => void): void;
  kill(signal?: NodeJS.Signals): void;
  /** Lines the worker writes to its stdout or stderr, where the host can capture them. */
  onOutput?(listener: (line: string, stream: 'stdout' | 'stderr') => void): void;
}

export interface DeviceHost {
  spawn(deviceId: string): DeviceProcess;
}

/**
 * Returns how to start the worker. When this module runs compiled, that is
 * the esbuild bundle `dist/app/worker-bundle/main.cjs` that `npm run build`
 * writes, because it starts faster and uses less memory than the tsc output
 * `dist/app/worker/main.js`, the fallback when the bundle was not built.
 * From source it is `app/worker/main.ts` through tsx, so a test run never
 * uses a stale bundle. Paths are resolved from this file, not from the
 * current directory.
 */
export function workerEntry(): { path: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  const appFolder = join(dirname(here), '..');
  if (!here.endsWith('.js')) {
    return { path: join(appFolder, 'worker', 'main.ts'), execArgv: ['--import', 'tsx'] };
  }

  const bundle = join(appFolder, 'worker-bundle', 'main.cjs');
  if (existsSync(bundle)) return { path: bundle, execArgv: [] };
  return { path: join(appFolder, 'worker', 'main.js'), execArgv: [] };
}

/** Starts each device worker with `child_process.fork` and an IPC channel. */
export class ChildProcessHost implements DeviceHost {
  private readonly entry: { path: string; execArgv: string[] };
  private readonly env: NodeJS.ProcessEnv;

  constructor(options: { entry?: { path: string; execArgv: string[] }; env?: NodeJS.ProcessEnv } = {}) {
    this.entry = options.entry ?? workerEntry();
    this.env = options.env ?? process.env;
    if (!existsSync(this.entry.path)) {
      throw new Error(
        `The device worker entry "${this.entry.path}" does not exist. Run "npm run build" or start Switchyard from its source checkout.`,
      );
    }
  }

  spawn(deviceId: string): DeviceProcess {
    const child = fork(this.entry.path, [deviceId], {
      execArgv: this.entry.execArgv,
      env: this.env,
      // stdout and stderr are piped so that worker output reaches the engine log.
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // A process group of its own keeps the terminal's Ctrl-C (SIGINT to the
      // foreground group) away from workers: the engine stops them in order,
      // instead of seeing them die and restarting them. A worker still exits
      // when the engine dies, because its IPC channel closes.
      // NOTE: not on Windows, where a detached child gets its own console
      // window, so there Ctrl-C still reaches the workers directly.
      detached: process.platform !== 'win32',
      serialization: 'json',
    });
    return new ChildDeviceProcess(child);
  }
}

class ChildDeviceProcess implements DeviceProcess {
  private readonly outputListeners: Array<(line: string, stream: 'stdout' | 'stderr') => void> = [];
  private exited = false;

  constructor(private readonly child: ChildProcess) {
    child.on('exit', () => {
      this.exited = true;
    });
    // A worker that exits while a message is in flight makes `send` fail
    // asynchronously. The exit listener reports the exit, so this error is dropped.
    child.on('error', () => undefined);
    this.pipeLines(child.stdout, 'stdout');
    this.pipeLines(child.stderr, 'stderr');
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  send(message: EngineToWorker): void {
    if (this.exited || !this.child.connected) {
      throw new Error(`Cannot send "${message.type}" to worker pid=${this.child.pid}: the process has exited.`);
    }
    this.child.send(message);
  }

  onMessage(listener: (message: unknown) => void): void {
    this.child.on('message', listener);
  }

  onExit(listener: (code: number | null, signal: string | null) => void): void {
    this.child.on('exit', listener);
  }

  kill(signal: NodeJS.Signals = 'SIGTERM'): void {
    if (!this.exited) this.child.kill(signal);
  }

  onOutput(listener: (line: string, stream: 'stdout' | 'stderr') => void): void {
    this.outputListeners.push(listener);
  }

  private pipeLines(stream: NodeJS.ReadableStream | null, name: 'stdout' | 'stderr'): void {
    if (!stream) return;
    const lines = createInterface({ input: stream, crlfDelay: Infinity });
    lines.on('line', (line) => {
      for (const listener of this.outputListeners) listener(line, name);
    });
  }
}
