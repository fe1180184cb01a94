/**
 * The engine contract: every command the UI may send with its request and
 * response, and every event the engine pushes. The Electron preload, the IPC
 * handlers, the WebSocket host and the renderer client are all typed from
 * this file, and the engine side of each transport validates requests with
 * these schemas.
 */
import { z } from 'zod';
import { deviceCountersSchema } from './worker-protocol.js';
import { deviceIdSchema, deviceSchema, socketRoleSchema, topologySchema } from './topology.js';

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
  /** Origin of the entry, such as `engine` or `device broker`. */
  source: z.string(),
  message: z.string(),
});

export const exportFormatSchema = z.enum(['json', 'yaml', 'pyzmq']);

/** The engine's open document and the problems validation found in it. */
export const documentStateSchema = z.strictObject({
  document: topologySchema,
  problems: z.array(problemSchema),
});

/**
 * One edit of the open document. The engine applies a list of them in order
 * and rejects the whole list when one does not apply (an unknown id, a
 * duplicate id), so the document never contains half a patch.
 */
export const documentChangeSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('device:add'),
    device: deviceSchema,
    position: z.strictObject({ x: z.number(), y: z.number() }).optional(),
  }),
  /** Replaces the device named `id`. A different `device.id` renames the device and its layout entry. */
  z.strictObject({ type: z.literal('device:update'), id: deviceIdSchema, device: deviceSchema }),
  z.strictObject({ type: z.literal('device:remove'), id: deviceIdSchema }),
  /** Moves a device or an external peer in the editor layout. */
  z.strictObject({ type: z.literal('layout:move'), id: z.string(), x: z.number(), y: z.number() }),
  z.strictObject({ type: z.literal('topology:rename'), name: z.string() }),
]);

/** Device ids a command applies to. An absent list means every device of the document. */
const deviceSelectionSchema = z.strictObject({ ids: z.array(deviceIdSchema).optional() });

/** Commands: `request` is validated by the engine side, `response` is what it returns. */
export const commandSchemas = {
  'document:get': { request: z.strictObject({}), response: documentStateSchema },
  'document:replace': { request: z.strictObject({ document: topologySchema }), response: documentStateSchema },
  'document:patch': {
    request: z.strictObject({ changes: z.array(documentChangeSchema) }),
    response: documentStateSchema,
  },
  /** Parses a topology file's text; JSON or YAML is detected from the text when `format` is absent. */
  'document:import': {
    request: z.strictObject({ text: z.string(), format: z.enum(['json', 'yaml']).optional() }),
    response: documentStateSchema,
  },
  'document:export': {
    request: z.strictObject({ format: exportFormatSchema }),
    response: z.strictObject({ text: z.string() }),
  },
  'document:validate': { request: z.strictObject({}), response: z.array(problemSchema) },
  'device:start': { request: deviceSelectionSchema, response: z.null() },
  'device:stop': { request: deviceSelectionSchema, response: z.null() },
  'device:pause': { request: deviceSelectionSchema, response: z.null() },
  'device:resume': { request: deviceSelectionSchema, response: z.null() },
  'device:states': {
    request: z.strictObject({}),
    response: z.record(z.string(), deviceStateSchema),
  },
  'monitor:subscribe': { request: z.strictObject({ device: deviceIdSchema }), response: z.null() },
  'monitor:unsubscribe': { request: z.strictObject({ device: deviceIdSchema }), response: z.null() },
} as const;

export const eventSchemas = {
  'document:changed': documentStateSchema,
  'device:state': z.strictObject({ device: z.string(), state: deviceStateSchema }),
  'device:counters': z.strictObject({ device: z.string(), counters: deviceCountersSchema }),
  'monitor:batch': monitorBatchSchema,
  'log:entry': logEntrySchema,
} as const;

export const COMMAND_NAMES = Object.keys(commandSchemas) as CommandName[];
export const EVENT_NAMES = Object.keys(eventSchemas) as EventName[];

/**
 * Transport envelopes. A transport that carries one stream of messages (the
 * WebSocket) sends all three kinds; Electron IPC carries requests through
 * `invoke`, returns a response envelope, and pushes events on a channel.
 * Responses are envelopes rather than thrown errors because Electron rewrites
 * the message of an error thrown across IPC.
 */
export const requestEnvelopeSchema = z.strictObject({
  type: z.literal('request'),
  /** Request id chosen by the client and copied into the response. */
  id: z.number().int().nonnegative(),
  command: z.string(),
  payload: z.unknown(),
});

/** Why a command failed: the request did not parse, the command is unknown, or the engine rejected it. */
export const commandErrorCodeSchema = z.enum(['invalid-request', 'unknown-command', 'command-failed']);

export const commandErrorSchema = z.strictObject({
  code: commandErrorCodeSchema,
  message: z.string(),
});

export const responseEnvelopeSchema = z.discriminatedUnion('ok', [
  z.strictObject({ type: z.literal('response'), id: z.number(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ type: z.literal('response'), id: z.number(), ok: z.literal(false), error: commandErrorSchema }),
]);

export const eventEnvelopeSchema = z.strictObject({
  type: z.literal('event'),
  event: z.string(),
  payload: z.unknown(),
});

/** Everything the engine side of a transport sends to a client. */
export const serverMessageSchema = z.union([responseEnvelopeSchema, eventEnvelopeSchema]);

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

export type DocumentState = z.infer<typeof documentStateSchema>;
export type DocumentChange = z.infer<typeof documentChangeSchema>;
export type RequestEnvelope = z.infer<typeof requestEnvelopeSchema>;
export type ResponseEnvelope = z.infer<typeof responseEnvelopeSchema>;
export type EventEnvelope = z.infer<typeof eventEnvelopeSchema>;
export type ServerMessage = z.infer<typeof serverMessageSchema>;
export type CommandError = z.infer<typeof commandErrorSchema>;
export type CommandErrorCode = z.infer<typeof commandErrorCodeSchema>;

/** A request whose command name and payload passed the contract's schemas. */
export type ParsedCommand = { [C in CommandName]: { command: C; request: CommandRequest<C> } }[CommandName];

export function isCommandName(name: string): name is CommandName {
  return Object.hasOwn(commandSchemas, name);
}

export function isEventName(name: string): name is EventName {
  return Object.hasOwn(eventSchemas, name);
}

/**
 * Checks a command name and its payload against the contract. Every transport
 * calls this on the engine side before passing the request to the engine.
 */
export function parseCommand(
  command: unknown,
  payload: unknown,
): { ok: true; value: ParsedCommand } | { ok: false; error: CommandError } {
  if (typeof command !== 'string' || !isCommandName(command)) {
    return {
      ok: false,
      error: {
        code: 'unknown-command',
        message: `Unknown command ${JSON.stringify(command)}. Use one of: ${COMMAND_NAMES.join(', ')}.`,
      },
    };
  }
  const result = commandSchemas[command].request.safeParse(payload ?? {});
  if (!result.success) {
    return {
      ok: false,
      error: {
        code: 'invalid-request',
        message: `Invalid request for command "${command}": ${z.prettifyError(result.error)}`,
      },
    };
  }
  return { ok: true, value: { command, request: result.data } as ParsedCommand };
}

/**
 * The engine contract as a client sees it: the Electron preload exposes this
 * object as `window.switchyard`, and the renderer's WebSocket client
 * implements the same shape.
 */
export interface EngineBridge {
  /** Sends a command and resolves with the response envelope. It rejects only when the transport fails. */
  request(command: CommandName, payload: unknown): Promise<ResponseEnvelope>;
  /** Registers a listener for every engine event and returns a function that removes it. */
  subscribe(listener: (event: EventEnvelope) => void): () => void;
}
