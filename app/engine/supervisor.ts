/**
 * One supervisor per device: starts its worker process, tracks its state,
 * restarts it after a crash under the `on-failure` policy, and stops it with
 * a stop message, a bounded wait and then SIGKILL.
 *
 * Restart rules:
 * - A crash (the process exits without a `stopped` message, while starting,
 *   running or paused) is restarted under `on-failure` after a back-off that
 *   starts at `initialBackoffMs` and doubles up to `maxBackoffMs`. It goes back
 *   to the initial delay once the device has run for `stablePeriodMs`.
 * - A failed start is not restarted. The worker reported `failed` (for
 *   example EADDRINUSE or an invalid option), or it did not report `ready`
 *   within `startTimeoutMs`. The same configuration would fail the same way,
 *   so the device stays `failed` with the reason until the user starts it again.
 * - A worker that ends with `stopped` (a stop request, or TERMINATE on its ctrl
 *   socket) is `stopped` and is not restarted.
 */
import type { DeviceState } from '../core/contract.js';
import type { RestartPolicy } from '../core/topology.js';
import {
  workerToEngineSchema,
  type DeviceCounters,
  type EngineToWorker,
  type ResolvedDevice,
  type WorkerToEngine,
} from '../core/worker-protocol.js';
import type { DeviceHost, DeviceProcess } from './host.js';
import type { Logger } from './logger.js';

export interface SupervisorTimings {
  /** How long a worker may take to report `ready` or `failed` after `start`. */
  startTimeoutMs: number;
  /** How long a worker may take to exit after `stop` before it is killed with SIGKILL. */
  stopTimeoutMs: number;
  initialBackoffMs: number;
  maxBackoffMs: number;
  /** Running this long without a crash resets the back-off to its initial delay. */
  stablePeriodMs: number;
}

export const DEFAULT_TIMINGS: SupervisorTimings = {
  startTimeoutMs: 10_000,
  stopTimeoutMs: 3_000,
  initialBackoffMs: 250,
  maxBackoffMs: 10_000,
  stablePeriodMs: 10_000,
};

export interface SupervisorEvents {
  state(state: DeviceState): void;
  counters(counters: DeviceCounters): void;
}

/** One worker process from spawn to exit. */
interface Run {
  readonly process: DeviceProcess;
  readonly pid: number | undefined;
  readonly exited: Promise<void>;
  hasExited: boolean;
  endpoints: Partial<Record<'in' | 'out' | 'mon' | 'ctrl', string[]>>;
  /** Set once the worker sent `stopped` or `failed`, or the supervisor asked it to stop: its exit is expected. */
  exitExpected: boolean;
  readyAt: number | null;
  startTimer: NodeJS.Timeout | null;
}

export class DeviceSupervisor {
  private current: DeviceState = { state: 'stopped' };
  private run: Run | null = null;
  private device: ResolvedDevice | null = null;
  private restartPolicy: RestartPolicy = 'never';
  private restartTimer: NodeJS.Timeout | null = null;
  private crashCount = 0;
  private readonly settleWaiters: Array<() => void> = [];
  private stopping: Promise<void> | null = null;

  constructor(
    readonly id: string,
    private readonly host: DeviceHost,
    private readonly logger: Logger,
    private readonly events: SupervisorEvents,
    private readonly timings: SupervisorTimings = DEFAULT_TIMINGS,
  ) {}

  get state(): DeviceState {
    return this.current;
  }

  /** Process id of the current worker, if one is alive. */
  get pid(): number | undefined {
    return this.run && !this.run.hasExited ? this.run.pid : undefined;
  }

  /**
   * Starts the device with this resolved spec and resolves once it is
   * `running`, `failed` or `crashed`. Starting a device that is already
   * starting, running or paused does nothing.
   */
  async start(device: ResolvedDevice, restart: RestartPolicy): Promise<void> {
    if (this.stopping) await this.stopping;
    if (this.isActive()) return;
    this.clearRestartTimer();
    this.device = device;
    this.restartPolicy = restart;
    this.crashCount = 0;
    // A worker that reported `failed` may still be exiting and holding a port it bound.
    if (this.run && !this.run.hasExited) await this.endProcess(this.run);
    const settled = this.waitUntilSettled();
    this.spawnRun();
    await settled;
  }

  /** Marks a device `failed` without starting it, such as when a secret is missing. */
  fail(reason: string): void {
    this.clearRestartTimer();
    this.logger.error(`device ${this.id}`, reason);
    this.setState({ state: 'failed', reason });
  }

  /** Stops the device: a stop message, a bounded wait, then SIGKILL. Resolves once no worker is left. */
  stop(): Promise<void> {
    if (this.stopping) return this.stopping;
    this.stopping = this.stopRun().finally(() => {
      this.stopping = null;
    });
    return this.stopping;
  }

  pause(): void {
    this.sendSteering({ type: 'pause' }, 'running');
  }

  resume(): void {
    this.sendSteering({ type: 'resume' }, 'paused');
  }

  /** True while a worker is starting, running, paused or stopping. */
  isActive(): boolean {
    const state = this.current.state;
    return state === 'starting' || state === 'running' || state === 'paused' || state === 'stopping';
  }

  private sendSteering(message: EngineToWorker, requiredState: DeviceState['state']): void {
    const run = this.run;
    if (!run || this.current.state !== requiredState) {
      const rule = message.type === 'pause' ? 'only a running device can be paused' : 'only a paused device can be resumed';
      throw new Error(`Cannot ${message.type} device "${this.id}" while it is ${this.current.state}: ${rule}.`);
    }
    run.process.send(message);
  }

  private spawnRun(): void {
    const device = this.device;
    if (!device) throw new Error(`Device "${this.id}" has no spec to start.`);
    this.setState({ state: 'starting' });

    let process: DeviceProcess;
    try {
      process = this.host.spawn(this.id);
    } catch (error) {
      this.setState({ state: 'failed', reason: `Cannot start a worker process for device "${this.id}": ${errorText(error)}` });
      return;
    }

    let markExited: () => void = () => undefined;
    const exited = new Promise<void>((resolve) => {
      markExited = resolve;
    });
    const run: Run = {
      process,
      pid: process.pid,
      exited,
      hasExited: false,
      endpoints: {},
      exitExpected: false,
      readyAt: null,
      startTimer: null,
    };
    this.run = run;

    process.onMessage((message) => this.onWorkerMessage(run, message));
    process.onExit((code, signal) => {
      run.hasExited = true;
      if (run.startTimer) clearTimeout(run.startTimer);
      markExited();
      this.onWorkerExit(run, code, signal);
    });
    process.onOutput?.((line, stream) => {
      this.logger.write(stream === 'stderr' ? 'warn' : 'info', this.sourceOf(run), line);
    });
    this.logger.info(this.sourceOf(run), 'worker process started');

    run.startTimer = setTimeout(() => this.onStartTimeout(run), this.timings.startTimeoutMs);
    try {
      process.send({ type: 'start', device });
    } catch (error) {
      // The exit listener reports the process; this only logs why `start` was not sent.
      this.logger.error(this.sourceOf(run), `Cannot send the start message: ${errorText(error)}`);
    }
  }

  private sourceOf(run: Run): string {
    return run.pid === undefined ? `device ${this.id}` : `device ${this.id} pid=${run.pid}`;
  }

  private onWorkerMessage(run: Run, raw: unknown): void {
    const parsed = workerToEngineSchema.safeParse(raw);
    if (!parsed.success) {
      const text = JSON.stringify(raw) ?? String(raw);
      const shown = text.length > 300 ? `${text.slice(0, 300)}...` : text;
      this.logger.warn(this.sourceOf(run), `ignored a message that is not part of the worker protocol: ${shown}`);
      return;
    }
    if (run !== this.run) return;
    this.handleWorkerMessage(run, parsed.data);
  }

  private handleWorkerMessage(run: Run, message: WorkerToEngine): void {
    const source = this.sourceOf(run);
    switch (message.type) {
      case 'ready': {
        if (run.startTimer) clearTimeout(run.startTimer);
        run.startTimer = null;
        run.readyAt = Date.now();
        run.endpoints = message.endpoints;
        this.logger.info(source, `running with the ${message.relay} relay; bound ${describeEndpoints(message.endpoints)}`);
        if (this.current.state === 'starting') {
          this.setState({ state: 'running', pid: run.pid, endpoints: message.endpoints });
        }
        return;
      }
      case 'failed': {
        if (run.startTimer) clearTimeout(run.startTimer);
        run.startTimer = null;
        run.exitExpected = true;
        this.logger.error(source, message.message);
        const state: DeviceState = { state: 'failed', reason: message.message };
        if (message.endpoint !== undefined) state.endpoint = message.endpoint;
        if (message.code !== undefined) state.code = message.code;
        this.setState(state);
        void this.endProcess(run);
        return;
      }
      case 'paused':
        if (this.current.state === 'running') {
          this.logger.info(source, 'paused');
          this.setState({ state: 'paused', pid: run.pid });
        }
        return;
      case 'resumed':
        if (this.current.state === 'paused') {
          this.logger.info(source, 'resumed');
          this.setState({ state: 'running', pid: run.pid, endpoints: run.endpoints });
        }
        return;
      case 'counters':
        this.events.counters(message.counters);
        return;
      case 'log':
        this.logger.write(message.level, source, message.message);
        return;
      case 'stopped':
        run.exitExpected = true;
        this.logger.info(source, message.reason === 'terminate' ? 'stopped by TERMINATE on its ctrl socket' : 'stopped');
        return;
    }
  }

  private onStartTimeout(run: Run): void {
    if (run !== this.run || this.current.state !== 'starting') return;
    run.exitExpected = true;
    const seconds = this.timings.startTimeoutMs / 1000;
    const reason =
      `Device "${this.id}" did not report ready within ${seconds} s, so its worker was stopped. ` +
      'Check the log for worker errors and start it again.';
    this.logger.error(this.sourceOf(run), reason);
    this.setState({ state: 'failed', reason });
    void this.endProcess(run);
  }

  private onWorkerExit(run: Run, code: number | null, signal: string | null): void {
    const source = this.sourceOf(run);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (run !== this.run) {
      this.logger.debug(source, `an earlier worker ${how}`);
      return;
    }
    if (run.exitExpected || this.current.state === 'stopping') {
      this.logger.info(source, how);
      if (this.current.state !== 'failed' && this.current.state !== 'stopping') this.setState({ state: 'stopped' });
      return;
    }

    this.logger.error(source, `${how} unexpectedly`);
    const crashed: DeviceState = { state: 'crashed', exitCode: code, signal };
    if (this.restartPolicy === 'on-failure') {
      if (run.readyAt !== null && Date.now() - run.readyAt >= this.timings.stablePeriodMs) this.crashCount = 0;
      const delay = Math.min(this.timings.initialBackoffMs * 2 ** this.crashCount, this.timings.maxBackoffMs);
      this.crashCount += 1;
      crashed.restartInMs = delay;
      this.logger.info(`device ${this.id}`, `restarting in ${delay} ms (restart policy on-failure)`);
      this.restartTimer = setTimeout(() => {
        this.restartTimer = null;
        if (this.current.state === 'crashed') this.spawnRun();
      }, delay);
    }
    this.setState(crashed);
  }

  /** Asks the worker to exit, waits `stopTimeoutMs`, then kills it. */
  private async endProcess(run: Run): Promise<void> {
    if (run.hasExited) return;
    try {
      run.process.send({ type: 'stop' });
    } catch {
      // The IPC channel is already closed: the bounded wait below decides.
    }
    if (await settlesWithin(run.exited, this.timings.stopTimeoutMs)) return;
    const seconds = this.timings.stopTimeoutMs / 1000;
    this.logger.warn(this.sourceOf(run), `did not exit within ${seconds} s of the stop request; killing it with SIGKILL`);
    run.process.kill('SIGKILL');
    await run.exited;
  }

  private async stopRun(): Promise<void> {
    this.clearRestartTimer();
    const run = this.run;
    if (!run || run.hasExited) {
      if (this.current.state !== 'stopped') this.setState({ state: 'stopped' });
      return;
    }
    run.exitExpected = true;
    if (run.startTimer) clearTimeout(run.startTimer);
    this.setState({ state: 'stopping' });
    this.logger.info(this.sourceOf(run), 'stopping');
    await this.endProcess(run);
    this.setState({ state: 'stopped' });
  }

  private clearRestartTimer(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = null;
  }

  private waitUntilSettled(): Promise<void> {
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  private setState(state: DeviceState): void {
    this.current = state;
    this.events.state(state);
    if (state.state !== 'starting' && state.state !== 'stopping') {
      for (const resolve of this.settleWaiters.splice(0)) resolve();
    }
  }
}

function settlesWithin(promise: Promise<void>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    void promise.then(() => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

function describeEndpoints(endpoints: Partial<Record<string, string[]>>): string {
  const parts = Object.entries(endpoints)
    .filter(([, list]) => list && list.length > 0)
    .map(([role, list]) => `${role} ${list!.join(', ')}`);
  return parts.length > 0 ? parts.join('; ') : 'no endpoints';
}

export function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
