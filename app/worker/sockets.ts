/**
 * Builds the zeromq.js sockets of a device from their resolved specs:
 * options first, then binds, then connects, as PyZMQ's background devices
 * do. Every failure becomes a `RelaySetupError` with libzmq's errno name,
 * the role and the endpoint or option, and a sentence with the fix.
 */
import * as zmq from 'zeromq';
import type { OptionInfo } from '../core/options.js';
import type { SocketType } from '../core/topology.js';
import type { ResolvedSocket } from '../core/worker-protocol.js';
import { checkOption, checkOptionValue, type OptionValue } from './option-values.js';
import { RelaySetupError } from './relay.js';
import { transportSetupError, type SocketPlace } from './setup-errors.js';

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

/**
 * Creates a socket and sets its options, binds and connects, in that order.
 * `configure` runs after the spec's options and before the first bind, for
 * settings the relay itself needs: zeromq.js warns about most options set
 * after a bind or connect, and libzmq may ignore them until the next one.
 * `bound` lists the bound endpoints with wildcard ports resolved. The socket
 * is closed before a `RelaySetupError` propagates.
 */
export async function openSocket(
  place: SocketPlace,
  spec: ResolvedSocket,
  configure: (socket: zmq.Socket) => void = () => undefined,
): Promise<{ socket: zmq.Socket; bound: string[] }> {
  const socket = createSocket(spec.type);
  try {
    await applyOptions(socket, place, spec);
    configure(socket);
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
    const option = checkOption(place, spec.type, name);
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
  const converted = checkOptionValue(place, option, value).value;

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

function hasSetter(socket: zmq.Socket, property: string): boolean {
  for (let prototype = Object.getPrototypeOf(socket); prototype; prototype = Object.getPrototypeOf(prototype)) {
    const descriptor = Object.getOwnPropertyDescriptor(prototype, property);
    if (descriptor) return descriptor.set !== undefined;
  }
  return false;
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

function transportError(
  action: 'bind' | 'connect',
  place: SocketPlace,
  endpoint: string,
  error: unknown,
): RelaySetupError {
  const code = errorCode(error) ?? 'EUNKNOWN';
  return transportSetupError({
    action,
    deviceId: place.deviceId,
    role: place.role,
    endpoint,
    code,
    fallbackReason: describeCode(code, error),
    libzmq: 'bundled',
  });
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
