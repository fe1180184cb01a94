/**
 * Messages between the engine and a device worker process. Both sides parse
 * what they receive with these schemas, because a worker may be an older
 * build or may have crashed half way through a message.
 */
import { z } from 'zod';
import { deviceSchema, socketRoleSchema } from './topology.js';

/** Option values after `{ env }` references were resolved by the engine. */
export const resolvedOptionValueSchema = z.union([z.number(), z.string(), z.boolean(), z.array(z.string())]);

export const resolvedSocketSchema = z.strictObject({
  type: deviceSchema.shape.in.shape.type,
  bind: z.array(z.string()),
  connect: z.array(z.string()),
  options: z.record(z.string(), resolvedOptionValueSchema),
});

/** A device spec as the worker receives it: defaults filled in, secrets resolved. */
export const resolvedDeviceSchema = z.strictObject({
  id: z.string(),
  kind: deviceSchema.shape.kind,
  in: resolvedSocketSchema,
  out: resolvedSocketSchema,
  mon: resolvedSocketSchema.optional(),
  ctrl: resolvedSocketSchema.optional(),
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
    role: socketRoleSchema.optional(),
    endpoint: z.string().optional(),
    /** libzmq's error code name, such as EADDRINUSE. */
    code: z.string().optional(),
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
