/**
 * The topology document: the one definition that the file reader validates
 * with at run time and that `schema/topology.schema.json` is generated from.
 */
import { z } from 'zod';
import { DEVICE_KINDS, SOCKET_ROLES, SOCKET_TYPES } from './topology-names.js';

/** The newest topology file version this build reads and writes. */
export const TOPOLOGY_VERSION = 1;

export { DEVICE_KINDS, SOCKET_ROLES, SOCKET_TYPES } from './topology-names.js';

export const RESTART_POLICIES = ['never', 'on-failure'] as const;

export const socketTypeSchema = z.enum(SOCKET_TYPES);
export const deviceKindSchema = z.enum(DEVICE_KINDS);
export const socketRoleSchema = z.enum(SOCKET_ROLES);

/** A secret taken from the environment of the process that starts the device. */
export const envReferenceSchema = z
  .strictObject({
    env: z
      .string()
      .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name such as CURVE_SECRET'),
  })
  .describe('Reads the value from this environment variable when the device starts.');

/** An option value; a list is for options set once per item, such as `subscribe`. */
export const optionValueSchema = z.union([z.number(), z.string(), z.boolean(), z.array(z.string()), envReferenceSchema]);

export const socketSchema = z
  .strictObject({
    type: socketTypeSchema.describe('ZeroMQ socket type.'),
    bind: z.array(z.string()).optional().describe('Endpoints this socket binds, in order.'),
    connect: z.array(z.string()).optional().describe('Endpoints this socket connects to, in order.'),
    options: z
      .record(z.string(), optionValueSchema)
      .optional()
      .describe('Socket options by libzmq name without ZMQ_, such as sndhwm or subscribe.'),
  })
  .describe('One socket of a device.');

export const deviceIdSchema = z
  .string()
  .regex(
    /^[A-Za-z][A-Za-z0-9_.-]{0,63}$/,
    'a letter followed by up to 63 letters, digits, "_", "." or "-"',
  );

export const deviceSchema = z
  .strictObject({
    id: deviceIdSchema.describe('Unique name of the device inside the topology.'),
    kind: deviceKindSchema,
    in: socketSchema,
    out: socketSchema,
    mon: socketSchema.optional().describe('Monitor socket that gets a copy of every message.'),
    ctrl: socketSchema
      .optional()
      .describe('Steering socket (PAIR or REP) for PAUSE, RESUME, TERMINATE and STATISTICS.'),
    prefix: z
      .strictObject({ in: z.string().optional(), out: z.string().optional() })
      .optional()
      .describe('First frame of each monitor message, by the socket the message arrived on.'),
    restart: z.enum(RESTART_POLICIES).optional().describe('What the supervisor does when the device exits.'),
  })
  .describe('One device process and its sockets.');

export const layoutSchema = z.record(z.string(), z.strictObject({ x: z.number(), y: z.number() }));

export const topologySchema = z
  .strictObject({
    $schema: z.string().optional(),
    version: z.literal(TOPOLOGY_VERSION),
    name: z.string(),
    devices: z.array(deviceSchema),
    layout: layoutSchema.optional().describe('Editor positions of devices and external peers by id.'),
  })
  .describe('A Switchyard topology: a named set of ZeroMQ devices.');

export type SocketType = z.infer<typeof socketTypeSchema>;
export type DeviceKind = z.infer<typeof deviceKindSchema>;
export type SocketRole = z.infer<typeof socketRoleSchema>;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];
export type EnvReference = z.infer<typeof envReferenceSchema>;
export type OptionValue = z.infer<typeof optionValueSchema>;
export type SocketSpec = z.infer<typeof socketSchema>;
export type DeviceSpec = z.infer<typeof deviceSchema>;
export type Layout = z.infer<typeof layoutSchema>;
export type Topology = z.infer<typeof topologySchema>;

/** Default monitor prefixes, as in PyZMQ's `monitored_queue`. */
export const DEFAULT_PREFIX = { in: 'in', out: 'out' } as const;

/** Socket types a new device of each kind gets, following PyZMQ's device examples. */
export const DEFAULT_SOCKET_TYPES: Record<DeviceKind, { in: SocketType; out: SocketType; mon?: SocketType }> = {
  queue: { in: 'ROUTER', out: 'DEALER' },
  forwarder: { in: 'XSUB', out: 'XPUB' },
  streamer: { in: 'PULL', out: 'PUSH' },
  'monitored-queue': { in: 'ROUTER', out: 'DEALER', mon: 'PUB' },
};

/** Returns the monitor prefixes of a device with the defaults filled in. */
export function devicePrefixes(device: DeviceSpec): { in: string; out: string } {
  return {
    in: device.prefix?.in ?? DEFAULT_PREFIX.in,
    out: device.prefix?.out ?? DEFAULT_PREFIX.out,
  };
}

/** Returns the sockets a device declares, in setup order. */
export function deviceSockets(device: DeviceSpec): Array<[SocketRole, SocketSpec]> {
  const sockets: Array<[SocketRole, SocketSpec]> = [];
  for (const role of SOCKET_ROLES) {
    const socket = device[role];
    if (socket) sockets.push([role, socket]);
  }
  return sockets;
}

export function isEnvReference(value: OptionValue): value is EnvReference {
  return typeof value === 'object' && !Array.isArray(value) && 'env' in value;
}
