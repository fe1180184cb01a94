/**
 * The relay plug-in point: the interface every relay implementation provides,
 * and the choice between the JavaScript relay and the native one.
 *
 * A relay owns the sockets of one device. It sets them up itself (options,
 * then binds, then connects, per socket, in role order in, out, mon, ctrl),
 * moves whole multipart messages in both directions, copies them to the
 * monitor socket, counts, and obeys the optional ctrl socket.
 */
import type { SocketRole } from '../core/topology.js';
import type { DeviceCounters, ResolvedDevice } from '../core/worker-protocol.js';

/** Callbacks from a relay to the worker process that hosts it. */
export interface RelayEvents {
  /**
   * Called after every switch to paused, whether it came from `pause()` or
   * from a PAUSE command on the ctrl socket, and also when already paused.
   */
  paused(): void;
  /** Called after every switch to running, from `resume()` or a RESUME command. */
  resumed(): void;
  /** A log line for the engine. It must never contain a secret option value. */
  log(level: 'info' | 'warn' | 'error', message: string): void;
}

/** A running relay. */
export interface RelayHandle {
  /** Bound endpoints per role, with wildcard ports resolved. */
  endpoints: Partial<Record<SocketRole, string[]>>;
  counters(): DeviceCounters;
  pause(): void;
  resume(): void;
  /** Stops the loop and closes the sockets with linger 0. */
  stop(): Promise<void>;
  /**
   * Settles when the loop ends: `stop` after `stop()`, `terminate` after a
   * TERMINATE command on the ctrl socket. Rejects when the loop fails.
   */
  done: Promise<'stop' | 'terminate'>;
}

/**
 * Setting up a socket failed: an option was rejected, or a bind or connect
 * failed. `code` is libzmq's errno name, such as EADDRINUSE or EINVAL.
 */
export class RelaySetupError extends Error {
  override readonly name = 'RelaySetupError';
  role?: SocketRole;
  endpoint?: string;
  code?: string;

  constructor(message: string, details: { role?: SocketRole; endpoint?: string; code?: string } = {}) {
    super(message);
    if (details.role !== undefined) this.role = details.role;
    if (details.endpoint !== undefined) this.endpoint = details.endpoint;
    if (details.code !== undefined) this.code = details.code;
  }
}

/**
 * A relay cannot run this device (for example the native relay lacks one of
 * its options). The factory throws it before it opens any socket, and the
 * worker then runs the device on the JavaScript relay.
 */
export class RelayUnsupportedError extends Error {
  override readonly name = 'RelayUnsupportedError';
}

export type RelayFactory = (device: ResolvedDevice, events: RelayEvents) => Promise<RelayHandle>;

/** Values of the `SWITCHYARD_RELAY` environment variable. */
export const RELAY_CHOICES = ['auto', 'javascript', 'native'] as const;
export type RelayChoice = (typeof RELAY_CHOICES)[number];

/** A started relay and the name of the implementation that runs it. */
export interface StartedRelay {
  name: 'javascript' | 'native';
  handle: RelayHandle;
}

/**
 * Reads `SWITCHYARD_RELAY`. An unset or empty variable means `auto`; an
 * unknown value is logged and treated as `auto`.
 */
export function readRelayChoice(env: Record<string, string | undefined>, events: RelayEvents): RelayChoice {
  const value = env.SWITCHYARD_RELAY?.trim().toLowerCase() ?? '';
  if (value === '') return 'auto';
  if ((RELAY_CHOICES as readonly string[]).includes(value)) return value as RelayChoice;

  events.log(
    'warn',
    `Ignored SWITCHYARD_RELAY="${env.SWITCHYARD_RELAY}" because it is not one of ${RELAY_CHOICES.join(', ')}; using auto.`,
  );
  return 'auto';
}

/**
 * Loads the native relay's factory from `./relay-native.js`. Returns
 * undefined, after a log line with the reason, when its addon is missing or
 * fails to load.
 */
async function loadNativeRelay(events: RelayEvents, level: 'info' | 'warn'): Promise<RelayFactory | undefined> {
  // Imported on demand, so that a worker on the JavaScript relay never loads
  // the addon. The import throws when the addon is not built.
  try {
    const { createNativeRelay } = await import('./relay-native.js');
    return createNativeRelay;
  } catch (error) {
    events.log(level, `The native relay did not load (${describeError(error)}); using the JavaScript relay.`);
    return undefined;
  }
}

/**
 * Starts a relay for `device` with the implementation chosen by
 * `SWITCHYARD_RELAY`: `javascript`, `native`, or `auto` (native when it
 * loads). When the native relay is missing, fails to load or throws
 * `RelayUnsupportedError`, the device runs on the JavaScript relay and a log
 * line gives the reason.
 *
 * @throws RelaySetupError when a socket cannot be set up.
 */
export async function startRelay(
  device: ResolvedDevice,
  events: RelayEvents,
  env: Record<string, string | undefined>,
): Promise<StartedRelay> {
  const choice = readRelayChoice(env, events);

  if (choice !== 'javascript') {
    // With `auto` a missing native relay is normal, so it is only `info`.
    const createNativeRelay = await loadNativeRelay(events, choice === 'native' ? 'warn' : 'info');
    if (createNativeRelay) {
      try {
        return { name: 'native', handle: await createNativeRelay(device, events) };
      } catch (error) {
        if (!(error instanceof RelayUnsupportedError)) throw error;
        events.log('info', `The native relay cannot run this device (${error.message}); using the JavaScript relay.`);
      }
    }
  }

  // Imported on demand, so that a worker on the native relay never loads
  // zeromq.js, and because relay-js.ts imports this module for RelaySetupError.
  const { createJavaScriptRelay } = await import('./relay-js.js');
  return { name: 'javascript', handle: await createJavaScriptRelay(device, events) };
}

/** Returns an error's message, or the value as text when it is not an Error. */
export function describeError(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
