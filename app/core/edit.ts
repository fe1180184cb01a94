/**
 * Editor changes: typed change objects that pure functions apply to a
 * Topology, returning a new document and leaving the input untouched, plus an
 * undo/redo history of whole documents. The renderer's graph editor and
 * inspector produce these changes. Framework-free so the tests run under Node.
 */
import { lookupOption } from './options.js';
import { canPair, PEER_TYPES } from './peers.js';
import {
  DEFAULT_SOCKET_TYPES,
  deviceIdSchema,
  type DeviceKind,
  type DeviceSpec,
  type OptionValue,
  type RestartPolicy,
  type SocketRole,
  type SocketSpec,
  type SocketType,
  type Topology,
} from './topology.js';

/** One socket of one device, written `device.role` in messages. */
export interface SocketRef {
  device: string;
  role: SocketRole;
}

export interface Position {
  x: number;
  y: number;
}

export type EndpointList = 'bind' | 'connect';

export type Edit =
  /** Adds a device of `kind` with the kind's default socket types and fresh loopback binds. */
  | { type: 'device:add'; kind: DeviceKind; id?: string; position?: Position }
  | { type: 'device:delete'; ids: string[] }
  /** Copies a device under a fresh id, with fresh bind ports so the copy does not collide with the original. */
  | { type: 'device:duplicate'; id: string; offset?: Position }
  | { type: 'device:rename'; id: string; newId: string }
  | { type: 'device:set-kind'; id: string; kind: DeviceKind }
  | { type: 'device:set-restart'; id: string; restart: RestartPolicy }
  /** Sets the monitor prefixes; an empty or absent value falls back to the default. */
  | { type: 'device:set-prefix'; id: string; prefix: { in?: string; out?: string } }
  | { type: 'layout:move'; positions: Record<string, Position> }
  | { type: 'topology:rename'; name: string }
  | { type: 'socket:add'; device: string; role: 'mon' | 'ctrl'; socketType?: SocketType }
  | { type: 'socket:remove'; device: string; role: 'mon' | 'ctrl' }
  | { type: 'socket:set-type'; socket: SocketRef; socketType: SocketType }
  | { type: 'socket:set-endpoints'; socket: SocketRef; list: EndpointList; endpoints: string[] }
  /** Sets an option by any name `lookupOption` accepts; `value: undefined` removes it. */
  | { type: 'socket:set-option'; socket: SocketRef; name: string; value: OptionValue | undefined }
  /** Wires two device sockets: one binds an endpoint and the other connects to it. */
  | { type: 'wire:connect'; from: SocketRef; to: SocketRef }
  /** Removes `endpoint` from the socket's connect list, which removes the wire or external peer it made. */
  | { type: 'wire:disconnect'; socket: SocketRef; endpoint: string }
  /** Adds an external peer: the socket connects to `endpoint`, or to a fresh loopback port. */
  | { type: 'peer:add'; socket: SocketRef; endpoint?: string };

export type EditResult =
  | {
      ok: true;
      document: Topology;
      /** The device the edit created or renamed, for the editor to select. */
      selected?: string;
    }
  | { ok: false; message: string };

/** First port the editor hands out for new loopback endpoints. */
export const FIRST_EDITOR_PORT = 5555;

/** Grid step between devices that the editor places without a position. */
const PLACEMENT_STEP = { x: 440, y: 180 };

class EditError extends Error {}

/**
 * Applies one change to a document. Returns the new document, or a message
 * saying why the change does not apply; the input document is never modified.
 */
export function applyEdit(document: Topology, edit: Edit): EditResult {
  const next = structuredClone(document);
  try {
    const selected = applyInPlace(next, edit);
    return selected === undefined ? { ok: true, document: next } : { ok: true, document: next, selected };
  } catch (error) {
    if (error instanceof EditError) return { ok: false, message: error.message };
    throw error;
  }
}

function applyInPlace(document: Topology, edit: Edit): string | undefined {
  switch (edit.type) {
    case 'device:add':
      return addDevice(document, edit.kind, edit.id, edit.position);
    case 'device:delete':
      deleteDevices(document, edit.ids);
      return undefined;
    case 'device:duplicate':
      return duplicateDevice(document, edit.id, edit.offset ?? { x: 40, y: 40 });
    case 'device:rename':
      renameDevice(document, edit.id, edit.newId);
      return edit.newId;
    case 'device:set-kind':
      setKind(document, edit.id, edit.kind);
      return undefined;
    case 'device:set-restart':
      findDevice(document, edit.id).restart = edit.restart;
      return undefined;
    case 'device:set-prefix':
      setPrefix(findDevice(document, edit.id), edit.prefix);
      return undefined;
    case 'layout:move':
      document.layout = { ...document.layout, ...roundPositions(edit.positions) };
      return undefined;
    case 'topology:rename':
      document.name = edit.name;
      return undefined;
    case 'socket:add':
      addSocket(document, edit.device, edit.role, edit.socketType);
      return undefined;
    case 'socket:remove':
      removeSocket(document, edit.device, edit.role);
      return undefined;
    case 'socket:set-type':
      findSocket(document, edit.socket).type = edit.socketType;
      return undefined;
    case 'socket:set-endpoints':
      setEndpoints(findSocket(document, edit.socket), edit.list, edit.endpoints);
      return undefined;
    case 'socket:set-option':
      setOption(findSocket(document, edit.socket), edit.socket, edit.name, edit.value);
      return undefined;
    case 'wire:connect':
      connectSockets(document, edit.from, edit.to);
      return undefined;
    case 'wire:disconnect':
      disconnect(document, edit.socket, edit.endpoint);
      return undefined;
    case 'peer:add':
      addPeer(document, edit.socket, edit.endpoint);
      return undefined;
  }
}

/** Returns a topology with no devices, as File > New creates it. */
export function emptyTopology(name = 'untitled'): Topology {
  return { version: 1, name, devices: [], layout: {} };
}

/** Formats a socket reference as `device.role`. */
export function socketLabel(socket: SocketRef): string {
  return `${socket.device}.${socket.role}`;
}

function findDevice(document: Topology, id: string): DeviceSpec {
  const device = document.devices.find((candidate) => candidate.id === id);
  if (!device) throw new EditError(`Device "${id}" not found. Select a device that exists in the topology.`);
  return device;
}

function findSocket(document: Topology, ref: SocketRef): SocketSpec {
  const socket = findDevice(document, ref.device)[ref.role];
  if (!socket) {
    throw new EditError(`Device "${ref.device}" has no ${ref.role} socket. Add the ${ref.role} socket first.`);
  }
  return socket;
}

function checkNewId(document: Topology, id: string): void {
  if (!deviceIdSchema.safeParse(id).success) {
    throw new EditError(
      `Invalid device id "${id}": use a letter followed by up to 63 letters, digits, "_", "." or "-".`,
    );
  }
  if (document.devices.some((device) => device.id === id)) {
    throw new EditError(`A device named "${id}" already exists. Choose another id.`);
  }
}

/** Returns `base1`, `base2`, ... the first id no device of the document uses. */
export function freshDeviceId(document: Topology, base: string): string {
  const usedIds = new Set(document.devices.map((device) => device.id));
  const stem = base.replace(/\d+$/, '');
  for (let n = 1; ; n++) {
    const id = `${stem}${n}`;
    if (!usedIds.has(id)) return id;
  }
}

function addDevice(document: Topology, kind: DeviceKind, requestedId: string | undefined, position?: Position): string {
  const id = requestedId ?? freshDeviceId(document, kind === 'monitored-queue' ? 'broker' : kind);
  checkNewId(document, id);

  const types = DEFAULT_SOCKET_TYPES[kind];
  const used = usedPorts(document);
  const device: DeviceSpec = {
    id,
    kind,
    in: { type: types.in, bind: [loopbackEndpoint(takePort(used))] },
    out: { type: types.out, bind: [loopbackEndpoint(takePort(used))] },
  };
  if (types.mon) device.mon = { type: types.mon, bind: [loopbackEndpoint(takePort(used))] };
  document.devices.push(device);
  document.layout = { ...document.layout, [id]: roundPosition(position ?? nextPlacement(document)) };
  return id;
}

/** Places a new device right of the rightmost device, on the top row. */
function nextPlacement(document: Topology): Position {
  const positions = Object.values(document.layout ?? {});
  if (positions.length === 0) return { x: 80, y: 80 };
  const maxX = Math.max(...positions.map((position) => position.x));
  return { x: maxX + PLACEMENT_STEP.x, y: 80 };
}

function deleteDevices(document: Topology, ids: string[]): void {
  for (const id of ids) findDevice(document, id);
  const removed = new Set(ids);
  document.devices = document.devices.filter((device) => !removed.has(device.id));
  if (document.layout) {
    for (const id of ids) delete document.layout[id];
  }
}

function duplicateDevice(document: Topology, id: string, offset: Position): string {
  const original = findDevice(document, id);
  const copy = structuredClone(original);
  copy.id = freshDeviceId(document, id);

  // Binds move to fresh ports, because two binds of one endpoint cannot both succeed.
  const used = usedPorts(document);
  for (const role of ['in', 'out', 'mon', 'ctrl'] as const) {
    const socket = copy[role];
    if (!socket?.bind) continue;
    socket.bind = socket.bind.map((endpoint) => rebindEndpoint(endpoint, used));
  }

  document.devices.push(copy);
  const from = document.layout?.[id] ?? { x: 80, y: 80 };
  document.layout = { ...document.layout, [copy.id]: roundPosition({ x: from.x + offset.x, y: from.y + offset.y }) };
  return copy.id;
}

function rebindEndpoint(endpoint: string, used: Set<number>): string {
  const tcp = parseTcp(endpoint);
  if (!tcp || tcp.port === undefined) return endpoint;
  return `tcp://${tcp.host}:${takePort(used)}`;
}

function renameDevice(document: Topology, id: string, newId: string): void {
  const device = findDevice(document, id);
  if (newId === id) return;
  checkNewId(document, newId);
  device.id = newId;
  if (document.layout && id in document.layout) {
    const position = document.layout[id]!;
    delete document.layout[id];
    document.layout[newId] = position;
  }
}

function setKind(document: Topology, id: string, kind: DeviceKind): void {
  const device = findDevice(document, id);
  device.kind = kind;
  // A monitored queue needs a monitor socket to be valid, so the change adds one.
  if (kind === 'monitored-queue' && !device.mon) {
    device.mon = { type: 'PUB', bind: [loopbackEndpoint(takePort(usedPorts(document)))] };
  }
}

function setPrefix(device: DeviceSpec, prefix: { in?: string; out?: string }): void {
  const next = { ...device.prefix, ...prefix };
  const cleaned: { in?: string; out?: string } = {};
  if (next.in) cleaned.in = next.in;
  if (next.out) cleaned.out = next.out;
  if (cleaned.in === undefined && cleaned.out === undefined) delete device.prefix;
  else device.prefix = cleaned;
}

function addSocket(document: Topology, id: string, role: 'mon' | 'ctrl', socketType?: SocketType): void {
  const device = findDevice(document, id);
  if (device[role]) throw new EditError(`Device "${id}" already has a ${role} socket. Edit it in the inspector instead.`);
  const type = socketType ?? (role === 'mon' ? 'PUB' : 'PAIR');
  device[role] = { type, bind: [loopbackEndpoint(takePort(usedPorts(document)))] };
}

function removeSocket(document: Topology, id: string, role: 'mon' | 'ctrl'): void {
  const device = findDevice(document, id);
  if (!device[role]) throw new EditError(`Device "${id}" has no ${role} socket to remove.`);
  if (role === 'mon' && device.kind === 'monitored-queue') {
    throw new EditError(
      `A monitored queue needs its mon socket, so "${id}.mon" cannot be removed. Change the kind to queue first.`,
    );
  }
  delete device[role];
}

function setEndpoints(socket: SocketSpec, list: EndpointList, endpoints: string[]): void {
  const cleaned = endpoints.map((endpoint) => endpoint.trim()).filter((endpoint) => endpoint !== '');
  if (cleaned.length === 0) delete socket[list];
  else socket[list] = cleaned;
}

function setOption(socket: SocketSpec, ref: SocketRef, name: string, value: OptionValue | undefined): void {
  const info = lookupOption(name);
  if (!info) {
    throw new EditError(
      `Unknown socket option "${name}" for ${socketLabel(ref)}. Use a libzmq option name such as sndhwm or subscribe.`,
    );
  }
  const options = { ...socket.options };
  // Drop any alias spelling so that the file keeps one canonical key.
  for (const key of Object.keys(options)) {
    if (lookupOption(key)?.name === info.name) delete options[key];
  }
  if (value !== undefined) options[info.name] = value;
  if (Object.keys(options).length === 0) delete socket.options;
  else socket.options = options;
}

function disconnect(document: Topology, ref: SocketRef, endpoint: string): void {
  const socket = findSocket(document, ref);
  const connects = socket.connect ?? [];
  if (!connects.includes(endpoint)) {
    throw new EditError(`${socketLabel(ref)} does not connect to "${endpoint}", so there is no wire to remove.`);
  }
  setEndpoints(
    socket,
    'connect',
    connects.filter((candidate) => candidate !== endpoint),
  );
}

function addPeer(document: Topology, ref: SocketRef, endpoint: string | undefined): void {
  const socket = findSocket(document, ref);
  const target = endpoint?.trim() || loopbackEndpoint(takePort(usedPorts(document)));
  if (socket.connect?.includes(target)) {
    throw new EditError(`${socketLabel(ref)} already connects to "${target}".`);
  }
  socket.connect = [...(socket.connect ?? []), target];
}

// ---------------------------------------------------------------------------
// Wiring two sockets.

/** Returns the socket types libzmq pairs with `type`. */
export function compatiblePeers(type: SocketType): readonly SocketType[] {
  return PEER_TYPES[type];
}

/**
 * Returns why two socket types cannot be wired, or undefined when libzmq pairs
 * them. libzmq drops a peer of an incompatible type during the handshake
 * without an error, so the editor rejects such a wire up front.
 */
export function incompatibilityReason(a: SocketType, b: SocketType): string | undefined {
  if (canPair(a, b)) return undefined;
  if (a === 'STREAM' || b === 'STREAM') {
    return 'a STREAM socket speaks raw TCP, so it pairs only with another STREAM socket or a plain TCP program';
  }
  return `ZeroMQ does not pair ${a} with ${b} and drops such a peer silently. ${a} pairs with ${PEER_TYPES[a].join(', ')}`;
}

function connectSockets(document: Topology, from: SocketRef, to: SocketRef): void {
  if (from.device === to.device && from.role === to.role) {
    throw new EditError(`Cannot wire ${socketLabel(from)} to itself. Drag to a socket of another device or role.`);
  }
  const fromSocket = findSocket(document, from);
  const toSocket = findSocket(document, to);

  const reason = incompatibilityReason(fromSocket.type, toSocket.type);
  if (reason) {
    throw new EditError(
      `Cannot wire ${socketLabel(from)} (${fromSocket.type}) to ${socketLabel(to)} (${toSocket.type}): ${reason}.`,
    );
  }
  if (alreadyWired(fromSocket, toSocket) || alreadyWired(toSocket, fromSocket)) {
    throw new EditError(`${socketLabel(from)} and ${socketLabel(to)} are already wired.`);
  }

  // Reuse a bind that either side already has, the target's first, so that
  // dragging onto a bound socket adds only a connect.
  let binder = toSocket;
  let connector = fromSocket;
  let endpoint = firstConnectableBind(toSocket);
  if (endpoint === undefined) {
    endpoint = firstConnectableBind(fromSocket);
    if (endpoint !== undefined) {
      binder = fromSocket;
      connector = toSocket;
    }
  }
  if (endpoint === undefined) {
    const bind = loopbackEndpoint(takePort(usedPorts(document)));
    binder.bind = [...(binder.bind ?? []), bind];
    endpoint = bind;
  }
  connector.connect = [...(connector.connect ?? []), connectAddress(endpoint)];
}

function alreadyWired(binder: SocketSpec, connector: SocketSpec): boolean {
  const connects = new Set((connector.connect ?? []).map(normalizeEndpoint));
  return (binder.bind ?? []).some((endpoint) => connects.has(normalizeEndpoint(connectAddress(endpoint))));
}

/** Returns the first bind another process can connect to: not a wildcard port, not inproc. */
function firstConnectableBind(socket: SocketSpec): string | undefined {
  return (socket.bind ?? []).find((endpoint) => {
    if (endpoint.startsWith('inproc://')) return false;
    const tcp = parseTcp(endpoint);
    return !tcp || tcp.port !== undefined;
  });
}

/** Turns a bind address into the address a peer on this host connects to: `*` and `0.0.0.0` become 127.0.0.1. */
function connectAddress(bindEndpoint: string): string {
  const tcp = parseTcp(bindEndpoint);
  if (!tcp || tcp.port === undefined) return bindEndpoint;
  if (tcp.host === '*' || tcp.host === '0.0.0.0') return `tcp://127.0.0.1:${tcp.port}`;
  if (tcp.host === '[::]' || tcp.host === '::') return `tcp://[::1]:${tcp.port}`;
  return bindEndpoint;
}

function normalizeEndpoint(endpoint: string): string {
  return endpoint.trim().replace('://localhost:', '://127.0.0.1:');
}

// ---------------------------------------------------------------------------
// Ports.

/** Splits `tcp://host:port`; `port` is undefined for a wildcard (`*` or 0). Returns undefined for other transports. */
export function parseTcp(endpoint: string): { host: string; port: number | undefined } | undefined {
  const match = /^tcp:\/\/(.+):(\*|\d+)$/.exec(endpoint.trim());
  if (!match) return undefined;
  const host = match[1]!;
  const portText = match[2]!;
  if (portText === '*') return { host, port: undefined };
  const port = Number(portText);
  return { host, port: port === 0 ? undefined : port };
}

/** Returns every TCP port that a bind or connect of the document names. */
export function usedPorts(document: Topology): Set<number> {
  const ports = new Set<number>();
  for (const device of document.devices) {
    for (const role of ['in', 'out', 'mon', 'ctrl'] as const) {
      const socket = device[role];
      if (!socket) continue;
      for (const endpoint of [...(socket.bind ?? []), ...(socket.connect ?? [])]) {
        const port = parseTcp(endpoint)?.port;
        if (port !== undefined) ports.add(port);
      }
    }
  }
  return ports;
}

/**
 * Returns the first port from `first` upwards that is not in `used`. The
 * document is the only source, so a port that another program on the host
 * has bound shows up only when the device fails to bind it.
 */
export function freeLoopbackPort(used: ReadonlySet<number>, first = FIRST_EDITOR_PORT): number {
  for (let port = first; port <= 65535; port++) {
    if (!used.has(port)) return port;
  }
  throw new EditError(`No free TCP port from ${first} to 65535 is left in this topology. Remove unused endpoints.`);
}

function takePort(used: Set<number>): number {
  const port = freeLoopbackPort(used);
  used.add(port);
  return port;
}

function loopbackEndpoint(port: number): string {
  return `tcp://127.0.0.1:${port}`;
}

function roundPosition(position: Position): Position {
  return { x: Math.round(position.x), y: Math.round(position.y) };
}

function roundPositions(positions: Record<string, Position>): Record<string, Position> {
  const rounded: Record<string, Position> = {};
  for (const [id, position] of Object.entries(positions)) rounded[id] = roundPosition(position);
  return rounded;
}

// ---------------------------------------------------------------------------
// Undo and redo.

/** Documents before and after the present one. `past` is oldest first, `future` is next first. */
export interface EditHistory {
  past: Topology[];
  present: Topology;
  future: Topology[];
}

/** Maximum number of undo steps kept. */
export const MAX_UNDO_STEPS = 200;

export function createHistory(document: Topology): EditHistory {
  return { past: [], present: document, future: [] };
}

/** Records `document` as the new present. The redo list is cleared, and the oldest undo step goes past `MAX_UNDO_STEPS`. */
export function pushHistory(history: EditHistory, document: Topology): EditHistory {
  const past = [...history.past, history.present].slice(-MAX_UNDO_STEPS);
  return { past, present: document, future: [] };
}

/** Applies an edit and records it. A rejected edit leaves the history as it was and returns the message. */
export function editHistory(
  history: EditHistory,
  edit: Edit,
): { ok: true; history: EditHistory; selected?: string } | { ok: false; message: string } {
  const result = applyEdit(history.present, edit);
  if (!result.ok) return result;
  const next = pushHistory(history, result.document);
  return result.selected === undefined
    ? { ok: true, history: next }
    : { ok: true, history: next, selected: result.selected };
}

export function canUndo(history: EditHistory): boolean {
  return history.past.length > 0;
}

export function canRedo(history: EditHistory): boolean {
  return history.future.length > 0;
}

/** Steps back one document; returns the history unchanged when there is nothing to undo. */
export function undo(history: EditHistory): EditHistory {
  const previous = history.past.at(-1);
  if (!previous) return history;
  return { past: history.past.slice(0, -1), present: previous, future: [history.present, ...history.future] };
}

/** Steps forward one document; returns the history unchanged when there is nothing to redo. */
export function redo(history: EditHistory): EditHistory {
  const next = history.future[0];
  if (!next) return history;
  return { past: [...history.past, history.present], present: next, future: history.future.slice(1) };
}
