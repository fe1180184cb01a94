/**
 * Compatibility of ZeroMQ socket types with each other and with the roles
 * inside a device. libzmq refuses an incompatible peer silently during the
 * handshake, so these tables are the only place the user learns of it.
 */
import type { DeviceKind, SocketType } from './topology.js';

/** Peer types each socket type accepts, after libzmq's `zmq_socket` compatibility list (4.3). */
export const PEER_TYPES: Readonly<Record<SocketType, readonly SocketType[]>> = {
  PAIR: ['PAIR'],
  PUB: ['SUB', 'XSUB'],
  SUB: ['PUB', 'XPUB'],
  XPUB: ['SUB', 'XSUB'],
  XSUB: ['PUB', 'XPUB'],
  REQ: ['REP', 'ROUTER'],
  REP: ['REQ', 'DEALER'],
  DEALER: ['REP', 'DEALER', 'ROUTER'],
  ROUTER: ['REQ', 'DEALER', 'ROUTER'],
  PULL: ['PUSH'],
  PUSH: ['PULL'],
  // STREAM speaks raw TCP, not ZMTP, so it talks to plain TCP programs and other STREAM sockets only.
  STREAM: ['STREAM'],
};

/** Returns whether libzmq lets sockets of types `a` and `b` connect to each other. */
export function canPair(a: SocketType, b: SocketType): boolean {
  return PEER_TYPES[a].includes(b);
}

/** Socket types that can receive messages (all but PUB and PUSH). */
export const RECEIVING_TYPES: readonly SocketType[] = ['PAIR', 'SUB', 'XPUB', 'XSUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PULL', 'STREAM'];

/** Socket types that can send messages (all but SUB and PULL). */
export const SENDING_TYPES: readonly SocketType[] = ['PAIR', 'PUB', 'XPUB', 'XSUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PUSH', 'STREAM'];

/** Monitor socket types: they must send, and need no routing envelope or reply. */
export const MONITOR_TYPES: readonly SocketType[] = ['PUB', 'XPUB', 'PUSH', 'PAIR', 'DEALER'];

/** Steering socket types that libzmq's `zmq_proxy_steerable` accepts. */
export const CONTROL_TYPES: readonly SocketType[] = ['PAIR', 'REP'];

/**
 * In and out socket types that suit each device kind. A monitored queue
 * relays any pattern in both directions, as PyZMQ's `monitored_queue` does,
 * so it has no entry.
 */
export const KIND_SOCKET_TYPES: Readonly<Partial<Record<DeviceKind, { in: readonly SocketType[]; out: readonly SocketType[] }>>> = {
  queue: { in: ['ROUTER', 'DEALER'], out: ['DEALER', 'ROUTER'] },
  forwarder: { in: ['SUB', 'XSUB'], out: ['PUB', 'XPUB'] },
  streamer: { in: ['PULL'], out: ['PUSH'] },
};
