/**
 * Test helpers that fork a real device worker (`app/worker/main.ts` under
 * tsx), speak the worker protocol to it, and build resolved device specs.
 *
 * The worker inherits this process's environment, so `SWITCHYARD_RELAY`
 * picks the relay under test. When it names `javascript` or `native`,
 * `WorkerUnderTest.start()` fails a test whose worker used another relay.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SocketRole, SocketType, DeviceKind } from '../../../app/core/topology.js';
import {
  workerToEngineSchema,
  type DeviceCounters,
  type EngineToWorker,
  type ResolvedDevice,
  type ResolvedSocket,
  type WorkerToEngine,
} from '../../../app/core/worker-protocol.js';

export const WORKER_ENTRY = fileURLToPath(new URL('../../../app/worker/main.ts', import.meta.url));

/** The relay that `SWITCHYARD_RELAY` requests, when it names one. */
export const REQUESTED_RELAY: string | undefined = ['javascript', 'native'].includes(process.env.SWITCHYARD_RELAY ?? '')
  ? process.env.SWITCHYARD_RELAY
  : undefined;

type MessageOfType<T extends WorkerToEngine['type']> = Extract<WorkerToEngine, { type: T }>;

/** Polls `probe` every 10 ms until it returns something other than undefined or false; throws after `timeoutMs`. */
export async function pollUntil<T>(what: string, probe: () => T | undefined | false, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** True when a process with this pid exists and has not exited (a zombie counts as exited). */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^State:\s+Z/m.test(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return false;
  }
}

/** A worker process forked from the test, with every message it sent recorded in order. */
export class WorkerUnderTest {
  readonly child: ChildProcess;
  /** Every valid protocol message received so far. */
  readonly messages: WorkerToEngine[] = [];
  /** Text the worker wrote to stderr, for failure messages. */
  stderr = '';
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(env: Record<string, string | undefined> = {}) {
    this.child = fork(WORKER_ENTRY, [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, ...env },
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString();
    });
    this.child.on('message', (raw) => {
      const parsed = workerToEngineSchema.safeParse(raw);
      if (!parsed.success) throw new Error(`The worker sent an invalid message: ${JSON.stringify(raw)}`);
      this.messages.push(parsed.data);
      for (const listener of this.listeners) listener();
    });
    this.exited = new Promise((resolve) => {
      this.child.on('exit', (code, signal) => {
        this.exitStatus = { code, signal };
        for (const listener of this.listeners) listener();
        resolve({ code, signal });
      });
    });
  }

  get pid(): number {
    if (this.child.pid === undefined) throw new Error('The worker process did not start.');
    return this.child.pid;
  }

  send(message: EngineToWorker | Record<string, unknown>): void {
    this.child.send(message);
  }

  /** Returns the number of messages received so far, to pass as `since` to `waitFor`. */
  mark(): number {
    return this.messages.length;
  }

  /**
   * Waits for the first message of `type` at or after index `since` that
   * satisfies `where`. Rejects when the worker exits first or after `timeoutMs`.
   */
  waitFor<T extends WorkerToEngine['type']>(
    type: T,
    options: { since?: number; where?: (message: MessageOfType<T>) => boolean; timeoutMs?: number } = {},
  ): Promise<MessageOfType<T>> {
    const { since = 0, where = () => true, timeoutMs = 10_000 } = options;
    return new Promise((resolve, reject) => {
      const check = (): void => {
        for (let index = since; index < this.messages.length; index++) {
          const message = this.messages[index]!;
          if (message.type === type && where(message as MessageOfType<T>)) {
            cleanup();
            resolve(message as MessageOfType<T>);
            return;
          }
        }
        if (this.exitStatus) {
          cleanup();
          reject(new Error(`The worker exited (${JSON.stringify(this.exitStatus)}) before sending "${type}". ${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`Timed out after ${timeoutMs} ms waiting for "${type}" from the worker. ${this.describe()}`));
      }, timeoutMs);
      const cleanup = (): void => {
        clearTimeout(timer);
        this.listeners.delete(check);
      };
      this.listeners.add(check);
      check();
    });
  }

  /** Waits for a `counters` message, at or after index `since`, whose counters satisfy `where`. */
  async waitForCounters(
    where: (counters: DeviceCounters) => boolean,
    options: { since?: number; timeoutMs?: number } = {},
  ): Promise<DeviceCounters> {
    const message = await this.waitFor('counters', { ...options, where: (m) => where(m.counters) });
    return message.counters;
  }

  /**
   * Sends `start` and waits for `ready`. Throws with the worker's message when
   * it replies `failed`, or when it used another relay than `SWITCHYARD_RELAY` requests.
   */
  async start(device: ResolvedDevice): Promise<MessageOfType<'ready'>> {
    const since = this.mark();
    this.send({ type: 'start', device });
    const answer = await Promise.race([
      this.waitFor('ready', { since }),
      this.waitFor('failed', { since }),
    ]);
    if (answer.type === 'failed') throw new Error(`The worker failed to start: ${answer.message} (${answer.code ?? 'no code'})`);
    if (REQUESTED_RELAY !== undefined && answer.relay !== REQUESTED_RELAY) {
      throw new Error(`SWITCHYARD_RELAY asks for the ${REQUESTED_RELAY} relay, but the worker used the ${answer.relay} relay. ${this.describe()}`);
    }
    return answer;
  }

  /** Sends `stop`, waits for `stopped` and the exit, and returns both. */
  async stop(timeoutMs = 5000): Promise<{ stopped: MessageOfType<'stopped'>; code: number | null }> {
    const since = this.mark();
    this.send({ type: 'stop' });
    const stopped = await this.waitFor('stopped', { since, timeoutMs });
    const { code } = await this.exited;
    return { stopped, code };
  }

  /** Kills the worker if it still runs; for `after` hooks. */
  async dispose(): Promise<void> {
    if (this.exitStatus) return;
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** Returns the log lines and stderr of the worker, for failure messages. */
  describe(): string {
    const logs = this.messages
      .filter((message): message is MessageOfType<'log'> => message.type === 'log')
      .map((message) => `[${message.level}] ${message.message}`);
    return `Worker log: ${logs.join(' | ') || '(none)'}; stderr: ${this.stderr.trim() || '(none)'}`;
  }
}

/** Builds one resolved socket spec; omitted lists are empty. */
export function socket(
  type: SocketType,
  spec: { bind?: string[]; connect?: string[]; options?: ResolvedSocket['options'] } = {},
): ResolvedSocket {
  return { type, bind: spec.bind ?? [], connect: spec.connect ?? [], options: spec.options ?? {} };
}

/** Builds a resolved device, with the default prefixes unless `prefix` is given. */
export function device(
  id: string,
  kind: DeviceKind,
  sockets: Partial<Record<SocketRole, ResolvedSocket>> & { in: ResolvedSocket; out: ResolvedSocket },
  prefix: { in: string; out: string } = { in: 'in', out: 'out' },
): ResolvedDevice {
  return { id, kind, ...sockets, prefix };
}

export const TRANSPORTS = ['tcp', 'ipc'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/**
 * Bind addresses for one transport: `tcp://127.0.0.1:*`, which the worker
 * resolves to a free port, or an `ipc://` path in a temporary folder that
 * `dispose()` removes.
 */
export class Addresses {
  private folder: string | undefined;

  constructor(readonly transport: Transport) {}

  bind(name: string): string {
    if (this.transport === 'tcp') return 'tcp://127.0.0.1:*';
    this.folder ??= mkdtempSync(join(tmpdir(), 'switchyard-worker-'));
    return `ipc://${join(this.folder, `${name}.sock`)}`;
  }

  dispose(): void {
    if (this.folder) rmSync(this.folder, { recursive: true, force: true });
  }
}

/** Returns the first bound endpoint of `role` in a `ready` message. */
export function endpointOf(ready: MessageOfType<'ready'>, role: SocketRole): string {
  const endpoint = ready.endpoints[role]?.[0];
  if (!endpoint) throw new Error(`The worker reported no bound endpoint for ${role}: ${JSON.stringify(ready.endpoints)}`);
  return endpoint;
}
