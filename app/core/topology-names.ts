/**
 * The names of socket types, device kinds and socket roles. They live apart
 * from `topology.ts` so that the device worker can use them without loading
 * the topology schema and the full zod library.
 */

export const SOCKET_TYPES = [
  'PAIR',
  'PUB',
  'SUB',
  'REQ',
  'REP',
  'DEALER',
  'ROUTER',
  'PULL',
  'PUSH',
  'XPUB',
  'XSUB',
  'STREAM',
] as const;

export const DEVICE_KINDS = ['queue', 'forwarder', 'streamer', 'monitored-queue'] as const;

/** Socket roles in the order a worker sets them up. */
export const SOCKET_ROLES = ['in', 'out', 'mon', 'ctrl'] as const;
