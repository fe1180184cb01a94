/**
 * The engine contract: every command the UI may send with its request and
 * response, and every event the engine pushes. The Electron preload, the IPC
 * handlers, the WebSocket host and the renderer client are all typed from
 * this file, and the engine side of each transport validates requests with
 * these schemas.
 */
import { z } from 'zod';
import { deviceCountersSchema } from './worker-protocol.js';
import { socketRoleSchema } from './topology.js';

export const deviceStateSchema = z.discriminatedUnion('state', [
  z.strictObject({ state: z.literal('stopped') }),
  z.strictObject({ state: z.literal('starting') }),
  z.strictObject({
    state: z.literal('running'),
    pid: z.number().optional(),
    endpoints: z.partialRecord(socketRoleSchema, z.array(z.string())),
  }),
  z.strictObject({ state: z.literal('paused'), pid: z.number().optional() }),
  z.strictObject({ state: z.literal('stopping') }),
  z.strictObject({
    state: z.literal('failed'),
    reason: z.string(),
    endpoint: z.string().optional(),
    code: z.string().optional(),
  }),
  z.strictObject({
    state: z.literal('crashed'),
    exitCode: z.number().nullable(),
    signal: z.string().nullable(),
    /** Milliseconds until the next restart under `on-failure`, if one is scheduled. */
    restartInMs: z.number().optional(),
  }),
]);

export const problemSchema = z.strictObject({
  severity: z.enum(['error', 'warning']),
  /** JSON path into the topology file, such as `$.devices[0].in.bind[1]`. */
  path: z.string(),
  message: z.string(),
});

/** One message copied to a monitor socket, as a tap received it. */
export const monitorMessageSchema = z.strictObject({
  /** Milliseconds since the epoch when the tap received the message. */
  at: z.number(),
  device: z.string(),
  prefix: z.string(),
  /** Frames after the prefix, base64 encoded so they survive JSON transports. */
  frames: z.array(z.string()),
  bytes: z.number(),
});

export const monitorBatchSchema = z.strictObject({
  device: z.string(),
  messages: z.array(monitorMessageSchema),
  /** Messages the tap received but did not forward because the batch was full. */
  dropped: z.number(),
});

export const logEntrySchema = z.strictObject({
  at: z.number(),
  level: z.enum(['debug', 'info', 'warn', 'error']),
  /** Where the entry comes from, such as `engine` or `device broker`. */
  source: z.string(),
  message: z.string(),
});

export const exportFormatSchema = z.enum(['json', 'yaml', 'pyzmq']);

/** Commands: `request` is validated by the engine side, `response` is what it returns. */
export const commandSchemas = {
  'document:get': { request: z.strictObject({}), response: z.unknown() },
  'document:replace': { request: z.strictObject({ document: z.unknown() }), response: z.unknown() },
  'document:import': {
    request: z.strictObject({ text: z.string(), format: z.enum(['json', 'yaml']).optional() }),
    response: z.unknown(),
  },
  'document:export': {
    request: z.strictObject({ format: exportFormatSchema }),
    response: z.strictObject({ text: z.string() }),
  },
  'document:validate': { request: z.strictObject({}), response: z.array(problemSchema) },
  'device:start': { request: z.strictObject({ ids: z.array(z.string()).optional() }), response: z.null() },
  'device:stop': { request: z.strictObject({ ids: z.array(z.string()).optional() }), response: z.null() },
  'device:pause': { request: z.strictObject({ ids: z.array(z.string()).optional() }), response: z.null() },
  'device:resume': { request: z.strictObject({ ids: z.array(z.string()).optional() }), response: z.null() },
  'device:states': {
    request: z.strictObject({}),
    response: z.record(z.string(), deviceStateSchema),
  },
  'monitor:subscribe': { request: z.strictObject({ device: z.string() }), response: z.null() },
  'monitor:unsubscribe': { request: z.strictObject({ device: z.string() }), response: z.null() },
} as const;

export const eventSchemas = {
  'document:changed': z.strictObject({ document: z.unknown(), problems: z.array(problemSchema) }),
  'device:state': z.strictObject({ device: z.string(), state: deviceStateSchema }),
  'device:counters': z.strictObject({ device: z.string(), counters: deviceCountersSchema }),
  'monitor:batch': monitorBatchSchema,
  'log:entry': logEntrySchema,
} as const;

export type DeviceState = z.infer<typeof deviceStateSchema>;
export type Problem = z.infer<typeof problemSchema>;
export type MonitorMessage = z.infer<typeof monitorMessageSchema>;
export type MonitorBatch = z.infer<typeof monitorBatchSchema>;
export type LogEntry = z.infer<typeof logEntrySchema>;
export type ExportFormat = z.infer<typeof exportFormatSchema>;

export type CommandName = keyof typeof commandSchemas;
export type CommandRequest<C extends CommandName> = z.infer<(typeof commandSchemas)[C]['request']>;
export type CommandResponse<C extends CommandName> = z.infer<(typeof commandSchemas)[C]['response']>;
export type EventName = keyof typeof eventSchemas;
export type EventPayload<E extends EventName> = z.infer<(typeof eventSchemas)[E]>;
