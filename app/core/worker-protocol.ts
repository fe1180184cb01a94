/**
 * Messages between the engine and a device worker process. Both sides parse
 * what they receive with these schemas, because a worker may be an older
 * build or may have crashed half way through a message.
 *
 * The schemas use `zod/mini` and the name lists of `topology-names.ts`, not
 * the topology schema, because importing the full zod library took a worker
 * about 80 ms of CPU and 13 MiB of memory (Node 20.20, 2-core AMD EPYC).
 * Mini schemas nest in classic ones, as `contract.ts` does with
 * `deviceCountersSchema`, but they have no methods such as `.optional()`, so
 * wrap them with functions such as `z.optional(schema)`.
 */
import * as z from 'zod/mini';
import { DEVICE_KINDS, SOCKET_ROLES, SOCKET_TYPES } from './topology-names.js';

const socketRoleSchema = z.enum(SOCKET_ROLES);

/** Option values after `{ env }` references were resolved by the engine. */
export const resolvedOptionValueSchema = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]);

export const resolvedSocketSchema = z.strictObject({
  type: z.enum(SOCKET_TYPES),
  bind: z.array(z.string()),
  connect: z.array(z.string()),
  options: z.record(z.string(), resolvedOptionValueSchema),
});

/** A device spec as the worker receives it: defaults filled in, secrets resolved. */
export const resolvedDeviceSchema = z.strictObject({
  id: z.string(),
  kind: z.enum(DEVICE_KINDS),
  in: resolvedSocketSchema,
  out: resolvedSocketSchema,
  mon: z.optional(resolvedSocketSchema),
  ctrl: z.optional(resolvedSocketSchema),
  prefix: z.strictObject({ in: z.string(), out: z.string() }),
});

/** Message and byte counts of one socket. A multipart message counts once, as in libzmq's proxy. */
export const socketCountersSchema = z.strictObject({
  receivedMessages: z.number(),
  receivedBytes: z.number(),
  sentMessages: z.number(),
  sentBytes: z.number(),
});

export const deviceCountersSchema = z.strictObject({
  in: socketCountersSchema,
  out: socketCountersSchema,
  /** Monitor messages sent and those dropped because the monitor socket would block. */
  monitorSent: z.number(),
  monitorDropped: z.number(),
  /** Messages a ROUTER out or in socket could not route (with router_mandatory set). */
  unroutable: z.number(),
  /** Milliseconds since the epoch when the worker took this sample. */
  at: z.number(),
});

export const engineToWorkerSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('start'), device: resolvedDeviceSchema }),
  z.strictObject({ type: z.literal('pause') }),
  z.strictObject({ type: z.literal('resume') }),
  z.strictObject({ type: z.literal('stop') }),
]);

export const workerToEngineSchema = z.discriminatedUnion('type', [
  /** Sockets are set up; `endpoints` lists each role's bound endpoints with wildcard ports resolved. */
  z.strictObject({
    type: z.literal('ready'),
    endpoints: z.partialRecord(socketRoleSchema, z.array(z.string())),
    /** The relay implementation in use, such as "native" or "javascript". */
    relay: z.string(),
  }),
  z.strictObject({
    type: z.literal('failed'),
    message: z.string(),
    role: z.optional(socketRoleSchema),
    endpoint: z.optional(z.string()),
    /** libzmq's error code name, such as EADDRINUSE. */
    code: z.optional(z.string()),
  }),
  z.strictObject({ type: z.literal('paused') }),
  z.strictObject({ type: z.literal('resumed') }),
  z.strictObject({ type: z.literal('counters'), counters: deviceCountersSchema }),
  z.strictObject({
    type: z.literal('log'),
    level: z.enum(['debug', 'info', 'warn', 'error']),
    message: z.string(),
  }),
  /** The worker closed its sockets and is about to exit with code 0. */
  z.strictObject({ type: z.literal('stopped'), reason: z.enum(['stop', 'terminate']) }),
]);

export type ResolvedSocket = z.infer<typeof resolvedSocketSchema>;
export type ResolvedDevice = z.infer<typeof resolvedDeviceSchema>;
export type SocketCounters = z.infer<typeof socketCountersSchema>;
export type DeviceCounters = z.infer<typeof deviceCountersSchema>;
export type EngineToWorker = z.infer<typeof engineToWorkerSchema>;
export type WorkerToEngine = z.infer<typeof workerToEngineSchema>;
