/**
 * The engine: the open document, one supervisor per device, monitor taps,
 * and the commands and events of the engine contract (`app/core/contract.ts`).
 * Electron's main process, `switchyard run` and `switchyard serve` each host
 * one Engine and reach it only through `handle` and `on`.
 */
import type {
  CommandName,
  CommandRequest,
  CommandResponse,
  DeviceState,
  DocumentState,
  EventName,
  EventPayload,
  Problem,
} from '../core/contract.js';
import { exportPyzmq } from '../core/export-pyzmq.js';
import { readTopology, writeTopology } from '../core/file.js';
import { resolveDevice } from '../core/resolve.js';
import type { DeviceSpec, Topology } from '../core/topology.js';
import { validateTopology } from '../core/validate.js';
import { applyChanges, emptyTopology } from './document.js';
import type { DeviceHost } from './host.js';
import { Logger } from './logger.js';
import { DEFAULT_TIMINGS, DeviceSupervisor, errorText, type SupervisorTimings } from './supervisor.js';
import { DEFAULT_TAP_LIMITS, MonitorTap, untappableReason, type TapLimits } from './tap.js';

export interface EngineOptions {
  host: DeviceHost;
  /** Environment that `{ "env": NAME }` option values are read from; defaults to `process.env`. */
  env?: Record<string, string | undefined>;
  /** Logger to write to; the engine creates one when absent. Entries also go out as `log:entry` events. */
  logger?: Logger;
  timings?: Partial<SupervisorTimings>;
  tapLimits?: Partial<TapLimits>;
}

type Handlers = { [C in CommandName]: (request: CommandRequest<C>) => Promise<CommandResponse<C>> };
type Listener<E extends EventName> = (payload: EventPayload<E>) => void;

/** A document that failed to import; `problems` lists what is wrong, with JSON paths. */
export class DocumentImportError extends Error {
  override readonly name = 'DocumentImportError';

  constructor(readonly problems: Problem[]) {
    super(
      `The topology was not imported, and the open document is unchanged, because it has ${countErrors(problems)} error(s):\n` +
        problems
          .filter((problem) => problem.severity === 'error')
          .map((problem) => `  ${problem.path}: ${problem.message}`)
          .join('\n'),
    );
  }
}

export class Engine {
  readonly logger: Logger;
  private readonly host: DeviceHost;
  private readonly env: Record<string, string | undefined>;
  private readonly timings: SupervisorTimings;
  private readonly tapLimits: TapLimits;
  private readonly listeners = new Map<EventName, Set<(payload: never) => void>>();
  private readonly supervisors = new Map<string, DeviceSupervisor>();
  private readonly taps = new Map<string, MonitorTap>();
  /** Devices whose monitor the UI subscribed to; a tap is attached whenever the device runs. */
  private readonly subscriptions = new Set<string>();
  private document: Topology = emptyTopology();
  private problems: Problem[] = [];
  private closed = false;
  private readonly handlers: Handlers;

  constructor(options: EngineOptions) {
    this.host = options.host;
    this.env = options.env ?? process.env;
    this.logger = options.logger ?? new Logger();
    this.timings = { ...DEFAULT_TIMINGS, ...options.timings };
    this.tapLimits = { ...DEFAULT_TAP_LIMITS, ...options.tapLimits };
    this.logger.addSink((entry) => this.emit('log:entry', entry));
    this.handlers = {
      'document:get': async () => this.documentState(),
      'document:replace': async ({ document }) => this.setDocument(document),
      'document:patch': async ({ changes }) => this.setDocument(applyChanges(this.document, changes)),
      'document:import': async ({ text, format }) => this.importDocument(text, format),
      'document:export': async ({ format }) => ({ text: this.exportDocument(format) }),
      'document:validate': async () => validateTopology(this.document),
      'device:start': async ({ ids }) => {
        await this.startDevices(this.selectDevices(ids));
        return null;
      },
      'device:stop': async ({ ids }) => {
        await Promise.all(this.selectDevices(ids).map((device) => this.supervisors.get(device.id)?.stop()));
        return null;
      },
      'device:pause': async ({ ids }) => {
        for (const device of this.selectDevices(ids)) this.requireSupervisor(device.id, 'pause').pause();
        return null;
      },
      'device:resume': async ({ ids }) => {
        for (const device of this.selectDevices(ids)) this.requireSupervisor(device.id, 'resume').resume();
        return null;
      },
      'device:states': async () => this.deviceStates(),
      'monitor:subscribe': async ({ device }) => {
        this.subscribe(device);
        return null;
      },
      'monitor:unsubscribe': async ({ device }) => {
        this.subscriptions.delete(device);
        await this.detachTap(device);
        return null;
      },
    };
  }

  /**
   * Runs one command. The request must already match the contract's schema
   * (every transport checks it with `parseCommand`). Throws an Error with a
   * full sentence when the engine rejects the command.
   */
  async handle<C extends CommandName>(command: C, request: CommandRequest<C>): Promise<CommandResponse<C>> {
    if (this.closed) throw new Error(`Cannot run "${command}": the engine is closed. Create a new Engine to run commands.`);
    const handler = this.handlers[command] as (request: CommandRequest<C>) => Promise<CommandResponse<C>>;
    return handler(request);
  }

  /** Adds an event listener and returns a function that removes it. */
  on<E extends EventName>(event: E, listener: Listener<E>): () => void {
    let set = this.listeners.get(event);
    if (!set) {
      set = new Set();
      this.listeners.set(event, set);
    }
    const stored = listener as (payload: never) => void;
    set.add(stored);
    return () => set.delete(stored);
  }

  /** Stops every device and tap. Resolves once no worker process is left. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.subscriptions.clear();
    await Promise.all([...this.taps.keys()].map((id) => this.detachTap(id)));
    await Promise.all([...this.supervisors.values()].map((supervisor) => supervisor.stop()));
    this.logger.info('engine', 'closed; every device is stopped');
  }

  /** Process ids of the live workers by device id, for hosts that report or check them. */
  workerPids(): Record<string, number> {
    const pids: Record<string, number> = {};
    for (const [id, supervisor] of this.supervisors) {
      if (supervisor.pid !== undefined) pids[id] = supervisor.pid;
    }
    return pids;
  }

  private emit<E extends EventName>(event: E, payload: EventPayload<E>): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const listener of set) {
      try {
        (listener as Listener<E>)(payload);
      } catch (error) {
        // A failing listener must not stop the others or the engine. The error goes to
        // stderr, not the logger, because a failing `log:entry` listener would loop.
        console.error(`A listener of "${event}" threw: ${errorText(error)}`);
      }
    }
  }

  private documentState(): DocumentState {
    return { document: structuredClone(this.document), problems: this.problems };
  }

  /**
   * Replaces the open document. A document that passed the topology schema is
   * accepted even with validation errors, so that the editor can keep work in
   * progress, and `device:start` rejects the devices those errors point at.
   * Devices that are gone are stopped, and a renamed device counts as gone
   * under its old id. Running devices whose spec changed keep
   * the old spec until they are stopped and started again.
   */
  private async setDocument(document: Topology): Promise<DocumentState> {
    const previous = new Map(this.document.devices.map((device) => [device.id, device]));
    this.document = structuredClone(document);
    this.problems = validateTopology(this.document);
    const state = this.documentState();
    this.emit('document:changed', state);

    const current = new Set(document.devices.map((device) => device.id));
    for (const [id, supervisor] of this.supervisors) {
      if (!current.has(id)) {
        this.logger.info('engine', `device "${id}" was removed from the document; stopping it`);
        this.subscriptions.delete(id);
        await this.detachTap(id);
        await supervisor.stop();
        this.supervisors.delete(id);
      } else if (supervisor.pid !== undefined && !sameSpec(previous.get(id), document.devices.find((device) => device.id === id))) {
        this.logger.info('engine', `device "${id}" changed while it runs; stop and start it to apply the change`);
      }
    }
    return state;
  }

  private async importDocument(text: string, format: 'json' | 'yaml' | undefined): Promise<DocumentState> {
    const result = readTopology(text, format);
    if (!result.ok) throw new DocumentImportError(result.problems);
    return this.setDocument(result.document);
  }

  private exportDocument(format: 'json' | 'yaml' | 'pyzmq'): string {
    if (format === 'pyzmq') return exportPyzmq(this.document);
    return writeTopology(this.document, format);
  }

  private deviceStates(): Record<string, DeviceState> {
    const states: Record<string, DeviceState> = {};
    for (const device of this.document.devices) {
      states[device.id] = this.supervisors.get(device.id)?.state ?? { state: 'stopped' };
    }
    return states;
  }

  private selectDevices(ids: string[] | undefined): DeviceSpec[] {
    if (ids === undefined) return this.document.devices;
    return ids.map((id) => {
      const device = this.document.devices.find((candidate) => candidate.id === id);
      if (!device) {
        const known = this.document.devices.map((candidate) => `"${candidate.id}"`).join(', ') || 'none';
        throw new Error(`No device named "${id}" in the open document (devices: ${known}). Check the id.`);
      }
      return device;
    });
  }

  private requireSupervisor(id: string, action: string): DeviceSupervisor {
    const supervisor = this.supervisors.get(id);
    if (!supervisor) throw new Error(`Cannot ${action} device "${id}": it is not running. Start it first.`);
    return supervisor;
  }

  private supervisorFor(id: string): DeviceSupervisor {
    let supervisor = this.supervisors.get(id);
    if (!supervisor) {
      supervisor = new DeviceSupervisor(
        id,
        this.host,
        this.logger,
        {
          state: (state) => this.onDeviceState(id, state),
          counters: (counters) => this.emit('device:counters', { device: id, counters }),
        },
        this.timings,
      );
      this.supervisors.set(id, supervisor);
    }
    return supervisor;
  }

  /**
   * Starts each device in parallel and resolves when every one is running,
   * failed or crashed. A device with validation errors, or whose secrets are
   * missing from the environment, becomes `failed` with the reason and the
   * others start anyway.
   */
  private async startDevices(devices: DeviceSpec[]): Promise<void> {
    await Promise.all(devices.map((device) => this.startDevice(device)));
  }

  private async startDevice(device: DeviceSpec): Promise<void> {
    const supervisor = this.supervisorFor(device.id);
    if (supervisor.isActive()) return;
    const errors = this.deviceErrors(device.id);
    if (errors.length > 0) {
      const listed = errors.map((problem) => `${problem.path}: ${problem.message}`).join(' ');
      supervisor.fail(`Device "${device.id}" has ${errors.length} validation error(s), so it was not started. ${listed}`);
      return;
    }
    let resolved;
    try {
      resolved = resolveDevice(device, this.env);
    } catch (error) {
      supervisor.fail(errorText(error));
      return;
    }
    await supervisor.start(resolved, device.restart ?? 'never');
  }

  /** Validation errors under this device's entry of `$.devices`. */
  private deviceErrors(id: string): Problem[] {
    const index = this.document.devices.findIndex((device) => device.id === id);
    const prefix = `$.devices[${index}]`;
    return this.problems.filter(
      (problem) =>
        problem.severity === 'error' &&
        (problem.path === prefix || problem.path.startsWith(`${prefix}.`) || problem.path.startsWith(`${prefix}[`)),
    );
  }

  private onDeviceState(id: string, state: DeviceState): void {
    this.emit('device:state', { device: id, state });
    if (state.state === 'running') {
      if (this.subscriptions.has(id)) this.attachTap(id, state.endpoints.mon ?? []);
    } else if (state.state !== 'paused') {
      void this.detachTap(id);
    }
  }

  private subscribe(id: string): void {
    const device = this.document.devices.find((candidate) => candidate.id === id);
    if (!device) throw new Error(`Cannot tap device "${id}": it is not in the open document. Check the id.`);
    const reason = untappableReason(id, device.mon);
    if (reason) throw new Error(reason);
    this.subscriptions.add(id);
    const state = this.supervisors.get(id)?.state;
    if (state?.state === 'running' && !this.taps.has(id)) this.attachTap(id, state.endpoints.mon ?? []);
  }

  /** Connects a new tap to the running device's monitor, replacing any earlier tap of that device. */
  private attachTap(id: string, endpoints: string[]): void {
    const earlier = this.taps.get(id);
    if (earlier) {
      this.taps.delete(id);
      void earlier.close();
    }
    if (endpoints.length === 0) {
      this.logger.warn(`tap ${id}`, 'the running device reported no bound monitor endpoint, so there is nothing to tap');
      return;
    }
    const tap = new MonitorTap(
      id,
      endpoints,
      (batch) => this.emit('monitor:batch', batch),
      (error) => this.logger.error(`tap ${id}`, `receiving from the monitor failed: ${errorText(error)}`),
      this.tapLimits,
    );
    this.taps.set(id, tap);
    this.logger.info(`tap ${id}`, `connected to ${endpoints.join(', ')}`);
  }

  private async detachTap(id: string): Promise<void> {
    const tap = this.taps.get(id);
    if (!tap) return;
    this.taps.delete(id);
    await tap.close();
  }
}

function sameSpec(a: DeviceSpec | undefined, b: DeviceSpec | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function countErrors(problems: Problem[]): number {
  return problems.filter((problem) => problem.severity === 'error').length;
}
