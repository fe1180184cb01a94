/**
 * The native relay: a `RelayFactory` over the Node-API addon in `native/`,
 * which links the system libzmq and relays on a thread of its own with
 * `zmq_poll`, so no message crosses into JavaScript.
 *
 * Importing this module throws when the addon is not built. `relay.ts`
 * catches that, logs one line and runs the device on the JavaScript relay.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupOption, type OptionInfo } from '../core/options.js';
import { SOCKET_ROLES } from '../core/topology-names.js';
import type { SocketRole, SocketType } from '../core/topology.js';
import type { DeviceCounters, ResolvedSocket } from '../core/worker-protocol.js';
import { checkOption, checkOptionValue, type OptionValue } from './option-values.js';
import {
  RelaySetupError,
  RelayUnsupportedError,
  type RelayEvents,
  type RelayFactory,
  type RelayHandle,
} from './relay.js';
import { transportSetupError, type SocketPlace } from './setup-errors.js';

/** Encodings of an option value for the addon, numbered as `OptionKind` in `native/src/relay.cc`. */
const OptionKind = {
  Int: 0,
  Int64: 1,
  Uint64: 2,
  Bytes: 3,
  /** Not an option: the value is sent as a message, which is how an XSUB socket subscribes. */
  SendMessage: 4,
} as const;
type OptionKind = (typeof OptionKind)[keyof typeof OptionKind];

type NativeOption = [number: number, kind: OptionKind, value: number | Buffer];

interface NativeSocketSpec {
  role: SocketRole;
  type: number;
  options: NativeOption[];
  /** Canonical name of each entry of `options`, for error messages; the addon ignores it. */
  optionNames: string[];
  bind: string[];
  connect: string[];
}

type NativeHandle = object & { readonly brand?: 'switchyard-relay' };

/** The addon's exports, as `native/src/relay.cc` defines them. */
interface RelayAddon {
  open(spec: {
    sockets: NativeSocketSpec[];
    prefixIn: Buffer;
    prefixOut: Buffer;
    routerToRouter: boolean;
  }): { handle: NativeHandle; endpoints: Partial<Record<SocketRole, string[]>> };
  start(handle: NativeHandle, onEvent: (event: string, level: string, message: string) => void): void;
  pause(handle: NativeHandle): void;
  resume(handle: NativeHandle): void;
  stop(handle: NativeHandle): void;
  close(handle: NativeHandle): void;
  counters(handle: NativeHandle): Float64Array;
  zmqVersion(): string;
}

/** libzmq's socket type numbers from zmq.h. */
const SOCKET_TYPE_NUMBERS: Record<SocketType, number> = {
  PAIR: 0,
  PUB: 1,
  SUB: 2,
  REQ: 3,
  REP: 4,
  DEALER: 5,
  ROUTER: 6,
  PULL: 7,
  PUSH: 8,
  XPUB: 9,
  XSUB: 10,
  STREAM: 11,
};

/**
 * libzmq option numbers (zmq.h of libzmq 4.3) by canonical name. Options not
 * listed make the factory throw `RelayUnsupportedError`, so the worker runs
 * that device on the JavaScript relay.
 */
export const OPTION_NUMBERS: Readonly<Record<string, { number: number; kind?: OptionKind }>> = {
  sndhwm: { number: 23 },
  rcvhwm: { number: 24 },
  sndtimeo: { number: 28 },
  rcvtimeo: { number: 27 },
  sndbuf: { number: 11 },
  rcvbuf: { number: 12 },
  linger: { number: 17 },
  maxmsgsize: { number: 22, kind: OptionKind.Int64 },
  conflate: { number: 54 },
  immediate: { number: 39 },
  backlog: { number: 19 },
  affinity: { number: 4, kind: OptionKind.Uint64 },
  routing_id: { number: 5 },
  router_mandatory: { number: 33 },
  router_handover: { number: 56 },
  probe_router: { number: 51 },
  req_correlate: { number: 52 },
  req_relaxed: { number: 53 },
  stream_notify: { number: 73 },
  subscribe: { number: 6 },
  unsubscribe: { number: 7 },
  xpub_verbose: { number: 40 },
  xpub_verboser: { number: 78 },
  xpub_manual: { number: 71 },
  xpub_nodrop: { number: 69 },
  xpub_welcome_msg: { number: 72 },
  invert_matching: { number: 74 },
  ipv6: { number: 42 },
  tos: { number: 57 },
  tcp_keepalive: { number: 34 },
  tcp_keepalive_idle: { number: 36 },
  tcp_keepalive_cnt: { number: 35 },
  tcp_keepalive_intvl: { number: 37 },
  tcp_maxrt: { number: 80 },
  socks_proxy: { number: 68 },
  reconnect_ivl: { number: 18 },
  reconnect_ivl_max: { number: 21 },
  connect_timeout: { number: 79 },
  handshake_ivl: { number: 66 },
  heartbeat_ivl: { number: 75 },
  heartbeat_timeout: { number: 77 },
  heartbeat_ttl: { number: 76 },
  curve_server: { number: 47 },
  curve_publickey: { number: 48 },
  curve_secretkey: { number: 49 },
  curve_serverkey: { number: 50 },
  plain_server: { number: 44 },
  plain_username: { number: 45 },
  plain_password: { number: 46 },
  zap_domain: { number: 55 },
};

/** Counter slots of `counters()`, in the order of `Counter` in `native/src/relay.cc`. */
const COUNTER_SLOTS = {
  inReceivedMessages: 0,
  inReceivedBytes: 1,
  inSentMessages: 2,
  inSentBytes: 3,
  outReceivedMessages: 4,
  outReceivedBytes: 5,
  outSentMessages: 6,
  outSentBytes: 7,
  monitorSent: 8,
  monitorDropped: 9,
  unroutable: 10,
} as const;

/** Path of the built addon relative to the repository root. */
export const ADDON_PATH = join('native', 'build', 'Release', 'switchyard_relay.node');

/**
 * Finds the addon by walking up from this file, so it loads both from
 * `app/worker` under tsx and from `dist/app/worker` after `tsc`.
 */
function findAddon(): string {
  let folder = dirname(fileURLToPath(import.meta.url));
  for (let level = 0; level < 5; level++) {
    const candidate = join(folder, ADDON_PATH);
    if (existsSync(candidate)) return candidate;
    folder = dirname(folder);
  }
  throw new Error(
    `The native relay addon ${ADDON_PATH} is not built. Install libzmq3-dev, g++ and make, then run npm run build:native.`,
  );
}

const addon = createRequire(import.meta.url)(findAddon()) as RelayAddon;

/** Version of the libzmq the addon is linked with, such as "4.3.4". */
export const nativeZmqVersion: string = addon.zmqVersion();

/**
 * Starts a device on the native relay: sets up its sockets (options, binds,
 * connects, per socket in role order) and starts the relay thread.
 *
 * @throws RelayUnsupportedError before opening any socket when an option has no libzmq number here.
 * @throws RelaySetupError when an option value is invalid or a socket cannot be set up.
 */
export const createNativeRelay: RelayFactory = async (device, events) => {
  const sockets = SOCKET_ROLES.flatMap((role): NativeSocketSpec[] => {
    const spec = device[role];
    return spec ? [toNativeSocket(device.id, role, spec)] : [];
  });

  let opened: ReturnType<RelayAddon['open']>;
  try {
    opened = addon.open({
      sockets,
      prefixIn: Buffer.from(device.prefix.in),
      prefixOut: Buffer.from(device.prefix.out),
      routerToRouter: device.in.type === 'ROUTER' && device.out.type === 'ROUTER',
    });
  } catch (error) {
    throw toSetupError(device.id, sockets, error);
  }

  return startHandle(device.id, opened.handle, opened.endpoints, events);
};

function startHandle(
  deviceId: string,
  handle: NativeHandle,
  endpoints: Partial<Record<SocketRole, string[]>>,
  events: RelayEvents,
): RelayHandle {
  let lastError: string | undefined;
  let finished = false;
  let settle: (reason: 'stop' | 'terminate') => void = () => {};
  let fail: (error: Error) => void = () => {};
  const done = new Promise<'stop' | 'terminate'>((resolve, reject) => {
    settle = resolve;
    fail = reject;
  });
  // A caller that only awaits stop() must not see an unhandled rejection.
  done.catch(() => {});

  addon.start(handle, (event, level, message) => {
    switch (event) {
      case 'paused':
        events.paused();
        return;
      case 'resumed':
        events.resumed();
        return;
      case 'log':
        if (level === 'error') lastError = message;
        events.log(level === 'error' || level === 'warn' ? level : 'info', message);
        return;
      case 'done':
        finished = true;
        addon.close(handle);
        if (message === 'error') {
          fail(new Error(`The native relay of device "${deviceId}" stopped: ${lastError ?? 'unknown libzmq error'}.`));
        } else {
          settle(message === 'terminate' ? 'terminate' : 'stop');
        }
        return;
    }
  });

  return {
    endpoints,
    counters: () => readCounters(addon.counters(handle)),
    pause: () => addon.pause(handle),
    resume: () => addon.resume(handle),
    stop: async () => {
      if (!finished) addon.stop(handle);
      await done.catch(() => {});
    },
    done,
  };
}

function readCounters(values: Float64Array): DeviceCounters {
  const slot = (name: keyof typeof COUNTER_SLOTS): number => values[COUNTER_SLOTS[name]] ?? 0;
  return {
    in: {
      receivedMessages: slot('inReceivedMessages'),
      receivedBytes: slot('inReceivedBytes'),
      sentMessages: slot('inSentMessages'),
      sentBytes: slot('inSentBytes'),
    },
    out: {
      receivedMessages: slot('outReceivedMessages'),
      receivedBytes: slot('outReceivedBytes'),
      sentMessages: slot('outSentMessages'),
      sentBytes: slot('outSentBytes'),
    },
    monitorSent: slot('monitorSent'),
    monitorDropped: slot('monitorDropped'),
    unroutable: slot('unroutable'),
    at: Date.now(),
  };
}

function toNativeSocket(deviceId: string, role: SocketRole, spec: ResolvedSocket): NativeSocketSpec {
  const options: NativeOption[] = [];
  const optionNames: string[] = [];
  const place: SocketPlace = { deviceId, role };
  for (const [name, value] of Object.entries(spec.options)) {
    const option = checkOption(place, spec.type, name);
    const numbered = OPTION_NUMBERS[option.name];
    if (!numbered) throw new RelayUnsupportedError(`the native relay has no libzmq number for option "${option.name}"`);
    for (const encoded of encodeOption(place, spec.type, option, numbered, value)) {
      options.push(encoded);
      optionNames.push(option.name);
    }
  }

  // A PUB or XPUB drops silently at its high-water mark, so the relay could
  // not count monitor drops. ZMQ_XPUB_NODROP turns such a send into EAGAIN,
  // which the relay counts, unless the topology sets xpub_nodrop itself.
  const explicitNoDrop = Object.keys(spec.options).some((name) => lookupOption(name)?.name === 'xpub_nodrop');
  if (role === 'mon' && (spec.type === 'PUB' || spec.type === 'XPUB') && !explicitNoDrop) {
    options.push([OPTION_NUMBERS.xpub_nodrop!.number, OptionKind.Int, 1]);
    optionNames.push('xpub_nodrop');
  }
  return { role, type: SOCKET_TYPE_NUMBERS[spec.type], options, optionNames, bind: spec.bind, connect: spec.connect };
}

function encodeOption(
  place: SocketPlace,
  type: SocketType,
  option: OptionInfo,
  numbered: { number: number; kind?: OptionKind },
  value: OptionValue,
): NativeOption[] {
  const checked = checkOptionValue(place, option, value);
  switch (checked.valueType) {
    case 'int':
      return [[numbered.number, numbered.kind ?? OptionKind.Int, checked.value]];
    case 'bool':
      return [[numbered.number, OptionKind.Int, checked.value ? 1 : 0]];
    case 'string':
    case 'bytes':
      return [[numbered.number, OptionKind.Bytes, Buffer.from(checked.value)]];
    case 'string-list':
      // libzmq's XSUB takes no ZMQ_SUBSCRIBE option. It subscribes by sending
      // a 0x01 (subscribe) or 0x00 (unsubscribe) byte and the topic, keeps
      // the subscription and sends it again to every peer that connects later.
      if (type === 'XSUB') {
        const flag = option.name === 'subscribe' ? 1 : 0;
        return checked.value.map((topic) => [-1, OptionKind.SendMessage, Buffer.concat([Buffer.of(flag), Buffer.from(topic)])]);
      }
      return checked.value.map((topic) => [numbered.number, OptionKind.Bytes, Buffer.from(topic)]);
  }
}

/** Turns the addon's setup error (`code`, `role`, `endpoint`) into a `RelaySetupError` with a fix. */
function toSetupError(deviceId: string, sockets: NativeSocketSpec[], error: unknown): RelaySetupError {
  const details = error as { message?: string; code?: string; role?: string; endpoint?: string; optionIndex?: number };
  const code = details.code ?? 'EUNKNOWN';
  const role = (SOCKET_ROLES as readonly string[]).includes(details.role ?? '') ? (details.role as SocketRole) : undefined;
  const place = role ? `device "${deviceId}" (${role})` : `device "${deviceId}"`;
  const text = details.message ?? String(error);

  if (details.endpoint !== undefined) {
    return transportSetupError({
      action: text.startsWith('Cannot bind') ? 'bind' : 'connect',
      deviceId,
      ...(role ? { role } : {}),
      endpoint: details.endpoint,
      code,
      fallbackReason: `${text.replace(/^Cannot (bind|connect): /, '').toLowerCase()} (${code})`,
      libzmq: 'system',
    });
  }
  if (details.optionIndex !== undefined) {
    const name = sockets.find((socket) => socket.role === role)?.optionNames[details.optionIndex] ?? 'unknown';
    const option = lookupOption(name);
    return new RelaySetupError(
      `Cannot set option "${name}" on ${place}: ${text.replace(/^Cannot set option \d+: /, '').toLowerCase()} (${code}). ` +
        `${option?.help ?? 'Check the option value.'}`,
      { ...(role ? { role } : {}), code },
    );
  }
  return new RelaySetupError(`${text.replace(/\.$/, '')} on ${place} (${code}).`, {
    ...(role ? { role } : {}),
    code,
  });
}
