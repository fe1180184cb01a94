/**
 * The bind and connect errors of both relays, as `RelaySetupError`s with a
 * reason and a fix for the errno names libzmq commonly returns. This module
 * does not load zeromq, so the native relay can use it.
 */
import type { SocketRole } from '../core/topology.js';
import { RelaySetupError } from './relay.js';

/** Location of a socket: the device id and the socket's role in it. */
export interface SocketPlace {
  deviceId: string;
  role: SocketRole;
}

/**
 * The libzmq that failed: `bundled` for the one zeromq.js ships, `system` for
 * the one the native addon links.
 */
export type LibzmqSource = 'bundled' | 'system';

/** Reason and fix for the errno names that a bind or connect commonly returns. */
const TRANSPORT_ERRORS: Record<string, { reason: string | ((libzmq: LibzmqSource) => string); fix: string }> = {
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
    reason: (libzmq) => `transport not supported by the ${libzmq} libzmq`,
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

/** A bind or connect that failed, as a relay reports it. */
export interface TransportFailure {
  action: 'bind' | 'connect';
  deviceId: string;
  /** Role of the socket, absent when the relay did not report one. */
  role?: SocketRole;
  endpoint: string;
  /** libzmq's errno name, such as EADDRINUSE. */
  code: string;
  /** Reason to give when `code` has no entry in the table, built from libzmq's own message. */
  fallbackReason: string;
  libzmq: LibzmqSource;
}

/**
 * Builds the error of a failed bind or connect, such as
 * `Cannot bind "tcp://127.0.0.1:5559" for device "broker" (in): address already in use. Stop the other process or choose another port.`
 */
export function transportSetupError(failure: TransportFailure): RelaySetupError {
  const { action, deviceId, role, endpoint, code } = failure;
  const known = TRANSPORT_ERRORS[code];
  const target = action === 'bind' ? `bind "${endpoint}"` : `connect to "${endpoint}"`;
  const place = role ? `device "${deviceId}" (${role})` : `device "${deviceId}"`;
  let reason = failure.fallbackReason;
  if (typeof known?.reason === 'function') reason = known.reason(failure.libzmq);
  else if (known) reason = known.reason;
  const fix = known?.fix ?? 'Check the endpoint.';
  return new RelaySetupError(`Cannot ${target} for ${place}: ${reason}. ${fix}`, {
    ...(role ? { role } : {}),
    endpoint,
    code,
  });
}
