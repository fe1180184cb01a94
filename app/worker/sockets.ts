/**
 * Builds the zeromq.js sockets of a device from their resolved specs:
 * options first, then binds, then connects, as PyZMQ's background devices
 * do. Every failure becomes a `RelaySetupError` with libzmq's errno name,
 * the role and the endpoint or option, and a sentence with the fix.
 */
import * as zmq from 'zeromq';
import { lookupOption, optionAppliesTo, type OptionInfo } from '../core/options.js';
import type { SocketRole, SocketType } from '../core/topology.js';
import type { ResolvedSocket } from '../core/worker-protocol.js';
import { RelaySetupError } from './relay.js';

type OptionValue = ResolvedSocket['options'][string];

/** Creates an unconfigured zeromq.js socket of the given type. */
export function createSocket(type: SocketType): zmq.Socket {
  switch (type) {
    case 'PAIR':
      return new zmq.Pair();
    case 'PUB':
      return new zmq.Publisher();
    case 'SUB':
      return new zmq.Subscriber();
    case 'REQ':
      return new zmq.Request();
    case 'REP':
      return new zmq.Reply();
    case 'DEALER':
      return new zmq.Dealer();
    case 'ROUTER':
      return new zmq.Router();
    case 'PULL':
      return new zmq.Pull();
    case 'PUSH':
      return new zmq.Push();
    case 'XPUB':
      return new zmq.XPublisher();
    case 'XSUB':
      return new zmq.XSubscriber();
    case 'STREAM':
      return new zmq.Stream();
  }
}

/** Location of a socket: the device id and the socket's role in it. */
export interface SocketPlace {
  deviceId: string;
  role: SocketRole;
}

/**
 * Creates a socket and sets its options, binds and connects, in that order.
 * `bound` lists the bound endpoints with wildcard ports resolved. The socket
 * is closed before a `RelaySetupError` propagates.
 */
export async function openSocket(
  place: SocketPlace,
  spec: ResolvedSocket,
): Promise<{ socket: zmq.Socket; bound: string[] }> {
  const socket = createSocket(spec.type);
  try {
    await applyOptions(socket, place, spec);
    const bound = await bindAll(socket, place, spec.bind);
    connectAll(socket, place, spec.connect);
    return { socket, bound };
  } catch (error) {
    closeSocket(socket);
    throw error;
  }
}

/** Closes a socket at once, discarding messages not yet sent. */
export function closeSocket(socket: zmq.Socket): void {
  if (socket.closed) return;
  socket.linger = 0;
  socket.close();
}

/** Sets every option of `spec` on `socket`, in the order the spec lists them. */
export async function applyOptions(socket: zmq.Socket, place: SocketPlace, spec: ResolvedSocket): Promise<void> {
  for (const [name, value] of Object.entries(spec.options)) {
    const option = lookupOption(name);
    if (!option) {
      throw new RelaySetupError(
        `Unknown option "${name}" on device "${place.deviceId}" (${place.role}). Use a libzmq option name such as sndhwm or subscribe.`,
        { role: place.role, code: 'EINVAL' },
      );
    }
    if (!optionAppliesTo(option, spec.type)) {
      throw new RelaySetupError(
        `Option "${option.name}" does not apply to the ${spec.type} socket of device "${place.deviceId}" (${place.role}). ` +
          `Remove it or use it on a socket of type ${describeTypes(option)}.`,
        { role: place.role, code: 'EINVAL' },
      );
    }
    await applyOption(socket, place, spec.type, option, value);
  }
}

async function applyOption(
  socket: zmq.Socket,
  place: SocketPlace,
  type: SocketType,
  option: OptionInfo,
  value: OptionValue,
): Promise<void> {
  const converted = convertValue(place, option, value);

  switch (option.name) {
    case 'subscribe':
    case 'unsubscribe':
      await applySubscription(socket, option.name, converted as string[]);
      return;
    case 'xpub_verbose':
    case 'xpub_verboser':
      if (socket instanceof zmq.XPublisher) {
        const level = option.name === 'xpub_verbose' ? 'allSubs' : 'allSubsUnsubs';
        socket.verbosity = converted ? level : null;
        return;
      }
      break;
  }

  const property = option.zeromq;
  if (property === null || !hasSetter(socket, property)) {
    throw new RelaySetupError(
      `Option "${option.name}" cannot be set on the ${type} socket of device "${place.deviceId}" (${place.role}) by the zeromq.js library. ` +
        'Remove it from this socket.',
      { role: place.role, code: 'EINVAL' },
    );
  }

  try {
    (socket as unknown as Record<string, unknown>)[property] = converted;
  } catch (error) {
    const code = errorCode(error) ?? 'EINVAL';
    const displayedValue = option.secret ? 'the given value' : JSON.stringify(value);
    throw new RelaySetupError(
      `Cannot set option "${option.name}" to ${displayedValue} on device "${place.deviceId}" (${place.role}): ${describeCode(code, error)}. ` +
        `${option.help}`,
      { role: place.role, code },
    );
  }
}

/**
 * Subscribes a SUB socket with `subscribe()`. An XSUB socket has no such
 * method, so it sends the subscription message itself: a 0x01 (subscribe) or
 * 0x00 (unsubscribe) byte followed by the topic. libzmq's XSUB keeps the
 * subscriptions and sends them again to every peer that connects later.
 */
async function applySubscription(socket: zmq.Socket, name: 'subscribe' | 'unsubscribe', topics: string[]): Promise<void> {
  if (socket instanceof zmq.Subscriber) {
    if (name === 'subscribe') socket.subscribe(...topics);
    else socket.unsubscribe(...topics);
    return;
  }
  if (socket instanceof zmq.XSubscriber) {
    const flag = name === 'subscribe' ? 1 : 0;
    for (const topic of topics) {
      await socket.send(Buffer.concat([Buffer.of(flag), Buffer.from(topic)]));
    }
  }
}

/**
 * Checks a value against the option's type and converts it to what the
 * zeromq.js property takes. `bool` options also accept 0 and 1, as libzmq
 * does; `string-list` options always come back as an array.
 */
function convertValue(place: SocketPlace, option: OptionInfo, value: OptionValue): unknown {
  const invalid = (expected: string): RelaySetupError => {
    const displayedValue = option.secret ? 'The given value' : `The value ${JSON.stringify(value)}`;
    return new RelaySetupError(
      `${displayedValue} of option "${option.name}" on device "${place.deviceId}" (${place.role}) is invalid. Give ${expected}.`,
      { role: place.role, code: 'EINVAL' },
    );
  };

  switch (option.valueType) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('an integer');
      const min = option.min ?? Number.MIN_SAFE_INTEGER;
      const max = option.max ?? Number.MAX_SAFE_INTEGER;
      if (value < min || value > max) throw invalid(`an integer from ${min} to ${max}`);
      return value;
    }
    case 'bool':
      if (typeof value === 'boolean') return value;
      if (value === 0 || value === 1) return value === 1;
      throw invalid('true or false');
    case 'string':
    case 'bytes':
      if (typeof value !== 'string') throw invalid('a string');
      return value;
    case 'string-list':
      if (typeof value === 'string') return [value];
      if (Array.isArray(value)) return value;
      throw invalid('a string or a list of strings');
  }
}

function hasSetter(socket: zmq.Socket, property: string): boolean {
  for (let prototype = Object.getPrototypeOf(socket); prototype; prototype = Object.getPrototypeOf(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, property);
    if (descriptor) return descriptor.set !== undefined;
  }
  return false;
}

function describeTypes(option: OptionInfo): string {
  return option.socketTypes === 'all' ? 'any type' : option.socketTypes.join(', ');
}

/** Binds every endpoint in order and returns them with wildcard ports resolved. */
async function bindAll(socket: zmq.Socket, place: SocketPlace, endpoints: readonly string[]): Promise<string[]> {
  const bound: string[] = [];
  for (const endpoint of endpoints) {
    try {
      await socket.bind(endpoint);
    } catch (error) {
      throw transportError('bind', place, endpoint, error);
    }
    // lastEndpoint contains the port the OS chose for `tcp://host:*` or `:0`.
    bound.push(socket.lastEndpoint ?? endpoint);
  }
  return bound;
}

function connectAll(socket: zmq.Socket, place: SocketPlace, endpoints: readonly string[]): void {
  for (const endpoint of endpoints) {
    try {
      socket.connect(endpoint);
    } catch (error) {
      throw transportError('connect', place, endpoint, error);
    }
  }
}

/** Reason and fix for the errno names that a bind or connect commonly returns. */
const TRANSPORT_ERRORS: Record<string, { reason: string; fix: string }> = {
  EADDRINUSE: { reason: 'address already in use', fix: 'Stop the other process or choose another port.' },
  EADDRNOTAVAIL: {
    reason: 'address not available on this machine',
    fix: 'Use the address of a local interface, such as 127.0.0.1.',
  },
  EACCES: {
    reason: 'permission denied',
    fix: 'Choose a port above 1023, or an ipc path in a folder this user may write to.',
  },
  EINVAL: { reason: 'invalid endpoint', fix: 'Write it as tcp://HOST:PORT or ipc:///PATH.' },
  EPROTONOSUPPORT: {
    reason: 'transport not supported by the bundled libzmq',
    fix: 'Use a tcp:// or ipc:// endpoint.',
  },
  ENOCOMPATPROTO: {
    reason: 'transport not compatible with this socket type',
    fix: 'Use a tcp:// or ipc:// endpoint.',
  },
  ENODEV: {
    reason: 'no such network interface',
    fix: 'Use the name or address of an existing interface, such as 127.0.0.1.',
  },
  ENOENT: {
    reason: 'the folder of the ipc path does not exist',
    fix: 'Create the folder or choose another path.',
  },
  ENAMETOOLONG: {
    reason: 'the ipc path is too long',
    fix: 'Use a path shorter than 108 bytes, the limit of a Unix socket address.',
  },
};

function transportError(
  action: 'bind' | 'connect',
  place: SocketPlace,
  endpoint: string,
  error: unknown,
): RelaySetupError {
  const code = errorCode(error) ?? 'EUNKNOWN';
  const known = TRANSPORT_ERRORS[code];
  const target = action === 'bind' ? `bind "${endpoint}"` : `connect to "${endpoint}"`;
  const reason = known?.reason ?? describeCode(code, error);
  const fix = known?.fix ?? 'Check the endpoint.';
  return new RelaySetupError(
    `Cannot ${target} for device "${place.deviceId}" (${place.role}): ${reason}. ${fix}`,
    { role: place.role, endpoint, code },
  );
}

/** Returns the errno name that zeromq.js puts on its errors, such as EAGAIN. */
export function errorCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null || !('code' in error)) return undefined;
  const code = (error as { code: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

function describeCode(code: string, error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return `${text.charAt(0).toLowerCase()}${text.slice(1)} (${code})`;
}
