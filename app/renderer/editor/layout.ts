/**
 * Node positions for the graph. Devices without a saved position are laid
 * out left to right in columns that follow the data flow (a device whose out
 * or mon socket feeds another's in socket is placed left of it), and separate
 * groups of devices wrap into bands. Each external peer without a saved
 * position sits beside the socket it attaches to: in on the left, out on the
 * right, mon below and ctrl above, moved along that side until it overlaps
 * no other node.
 */
import { PEER_TYPES } from '../../core/peers.js';
import type { SocketRole, SocketType, Topology } from '../../core/topology.js';
import type { ExternalPeer } from '../../core/wiring.js';

export interface Point {
  x: number;
  y: number;
}

/** Width of a device node in pixels. The CSS of `.device-node` sets the same width. */
export const DEVICE_WIDTH = 210;
/** Height reserved for a device node: title, kind, socket row, and rates or two lines of a failure's reason. */
export const DEVICE_HEIGHT = 100;
/** Distance from a device node's top to its in and out handles, which sit on the socket row. */
export const SOCKET_ROW_Y = 56;
/** Height of a peer node: a title line and an endpoint line. */
export const PEER_HEIGHT = 44;
const PEER_MIN_WIDTH = 130;
const PEER_MAX_WIDTH = 320;
/** Average advance of one character of the peer node's 11 px text, measured in Chromium's default fonts. */
const PEER_CHAR_WIDTH = 6.8;
const PEER_PADDING = 24;

/** Room between a device and its peers, wide enough for nothing but the wire. */
const PEER_GAP = 48;
/** Gap between two peers on one side of a device. */
const PEER_STACK_GAP = 10;
/** Gap between columns, wide enough for a wire's endpoint label such as `tcp://127.0.0.1:5559`. */
const COLUMN_GAP = 170;
const ROW_GAP = 48;
/** A band of device groups wraps when it grows wider than this. */
const MAX_BAND_WIDTH = 1800;
const ORIGIN: Point = { x: 40, y: 40 };

export interface PeerLayout {
  position: Point;
  width: number;
  /** The side of the peer node that faces its device. */
  side: 'left' | 'right' | 'top' | 'bottom';
  label: string;
}

export interface GraphLayout {
  devices: Record<string, Point>;
  peers: Record<string, PeerLayout>;
}

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** Plural and singular nouns for the programs on the far side of a socket, keyed by the device socket's type. */
const PEER_NOUNS: Partial<Record<SocketType, [plural: string, singular: string]>> = {
  PUB: ['subscribers', 'subscriber'],
  XPUB: ['subscribers', 'subscriber'],
  SUB: ['publishers', 'publisher'],
  XSUB: ['publishers', 'publisher'],
  PULL: ['producers', 'producer'],
  PUSH: ['consumers', 'consumer'],
  PAIR: ['PAIR peers', 'PAIR peer'],
  STREAM: ['TCP peers', 'TCP peer'],
};

/**
 * Socket types that sit in the middle of a pattern, in brokers and proxies.
 * A peer label names them only when nothing else pairs, because a client,
 * worker, publisher or subscriber program uses the plain types.
 */
const BROKER_TYPES: readonly SocketType[] = ['ROUTER', 'XPUB', 'XSUB'];

/**
 * Labels an external peer by the role its program plays for the device
 * socket it attaches to, with the socket types that pair with that socket,
 * such as "clients (REQ/DEALER)" for a ROUTER in socket. A peer that binds
 * (the device connects to it) is one program, so its label is singular.
 */
export function peerLabel(socketType: SocketType, role: SocketRole, kind: ExternalPeer['kind']): string {
  const paired = PEER_TYPES[socketType];
  const plain = paired.filter((type) => !BROKER_TYPES.includes(type));
  const types = (plain.length > 0 ? plain : paired).join('/');
  const nouns = PEER_NOUNS[socketType] ?? requestReplyNouns(role);
  const noun = kind === 'server' ? nouns[1] : nouns[0];
  if (role === 'mon') return `monitor ${noun} (${types})`;
  return `${noun} (${types})`;
}

/** Nouns for request-reply sockets (REQ, REP, DEALER, ROUTER), which depend on the side of the device. */
function requestReplyNouns(role: SocketRole): [string, string] {
  if (role === 'in') return ['clients', 'client'];
  if (role === 'out') return ['workers', 'worker'];
  if (role === 'ctrl') return ['steering clients', 'steering client'];
  return ['readers', 'reader'];
}

/** Returns a peer node's width for its text, so that the layout and the rendered node agree. */
export function peerWidth(label: string, endpoint: string): number {
  const characters = Math.max(label.length, endpoint.length);
  return Math.min(PEER_MAX_WIDTH, Math.max(PEER_MIN_WIDTH, Math.ceil(characters * PEER_CHAR_WIDTH + PEER_PADDING)));
}

/** Computes every node's position: saved positions from the file's layout, the rest as the module header describes. */
export function layoutGraph(document: Topology, peers: readonly ExternalPeer[]): GraphLayout {
  const saved = document.layout ?? {};
  const peerInfo = describePeers(document, peers);
  const devices: Record<string, Point> = {};

  const unplaced = document.devices.filter((device) => !saved[device.id]);
  for (const device of document.devices) {
    const position = saved[device.id];
    if (position) devices[device.id] = position;
  }
  if (unplaced.length > 0) {
    const auto = autoLayout(document, unplaced.map((device) => device.id), peerInfo);
    // Devices placed by the user keep their places, and the rest go below them.
    const savedBoxes = Object.values(devices).map((point) => deviceBox(point));
    const offset = savedBoxes.length > 0 ? { x: Math.min(...savedBoxes.map((box) => box.x)), y: Math.max(...savedBoxes.map((box) => box.y + box.height)) + ROW_GAP + PEER_HEIGHT + PEER_GAP } : ORIGIN;
    for (const [id, point] of Object.entries(auto)) devices[id] = { x: point.x + offset.x, y: point.y + offset.y };
  }

  return { devices, peers: placePeers(document, peerInfo, devices) };
}

/**
 * Returns where a new device goes: right of every node shown, with room for
 * an in peer between, at the top of the graph.
 */
export function nextDevicePosition(layout: GraphLayout): Point {
  const boxes: Box[] = [
    ...Object.values(layout.devices).map(deviceBox),
    ...Object.values(layout.peers).map((peer) => ({ ...peer.position, width: peer.width, height: PEER_HEIGHT })),
  ];
  if (boxes.length === 0) return { x: 80, y: 80 };
  const right = Math.max(...boxes.map((box) => box.x + box.width));
  const top = Math.min(...Object.values(layout.devices).map((point) => point.y));
  // 220 px is a little more than an in peer of a loopback tcp endpoint needs, so a gap stays between peers.
  return { x: Math.round(right + 2 * PEER_GAP + 220), y: Math.round(Number.isFinite(top) ? top : 80) };
}

interface PeerInfo {
  peer: ExternalPeer;
  device: string;
  role: SocketRole;
  width: number;
  label: string;
}

function describePeers(document: Topology, peers: readonly ExternalPeer[]): PeerInfo[] {
  const infos: PeerInfo[] = [];
  for (const peer of peers) {
    const first = peer.sockets[0];
    if (!first) continue;
    const socketType = document.devices.find((device) => device.id === first.device)?.[first.role]?.type;
    const label = socketType ? peerLabel(socketType, first.role, peer.kind) : peer.kind === 'server' ? 'external server' : 'external client';
    infos.push({ peer, device: first.device, role: first.role, width: peerWidth(label, peer.endpoint), label });
  }
  return infos;
}

/** Space a device's peers need on each side, in pixels. */
interface Margins {
  left: number;
  right: number;
  top: number;
  bottom: number;
  /** Width of the row of mon or ctrl peers, whichever is wider. */
  across: number;
  /** Height of the taller stack of in or out peers. */
  stack: number;
}

function marginsOf(id: string, peerInfo: readonly PeerInfo[]): Margins {
  const mine = peerInfo.filter((info) => info.device === id);
  const side = (role: SocketRole) => mine.filter((info) => info.role === role);
  const widest = (infos: PeerInfo[]) => (infos.length > 0 ? Math.max(...infos.map((info) => info.width)) + PEER_GAP : 0);
  const row = (infos: PeerInfo[]) => infos.reduce((sum, info) => sum + info.width + PEER_STACK_GAP, 0);
  const column = (infos: PeerInfo[]) => infos.length * (PEER_HEIGHT + PEER_STACK_GAP);
  return {
    left: widest(side('in')),
    right: widest(side('out')),
    top: side('ctrl').length > 0 ? PEER_HEIGHT + PEER_GAP : 0,
    bottom: side('mon').length > 0 ? PEER_HEIGHT + PEER_GAP : 0,
    across: Math.max(row(side('mon')), row(side('ctrl'))),
    stack: Math.max(column(side('in')), column(side('out'))),
  };
}

/**
 * Places devices in columns by data flow, one group of wired devices at a
 * time, and returns positions relative to the origin.
 */
function autoLayout(document: Topology, ids: string[], peerInfo: readonly PeerInfo[]): Record<string, Point> {
  const ranks = rankDevices(document, ids);
  const groups = groupDevices(document, ids);
  const positions: Record<string, Point> = {};
  let bandX = 0;
  let bandY = 0;
  let bandHeight = 0;

  for (const group of groups) {
    const columns: string[][] = [];
    for (const id of group) {
      const rank = ranks.get(id) ?? 0;
      (columns[rank] ??= []).push(id);
    }
    const filled = columns.filter((column) => column !== undefined && column.length > 0);

    // Lay out the group at (0, 0) first, to know its size.
    const groupPositions: Record<string, Point> = {};
    let x = 0;
    let height = 0;
    for (const column of filled) {
      const margins = column.map((id) => marginsOf(id, peerInfo));
      const left = Math.max(...margins.map((margin) => margin.left));
      const right = Math.max(...margins.map((margin) => margin.right));
      const width = Math.max(left + DEVICE_WIDTH + right, ...margins.map((margin) => margin.across));
      const deviceX = x + left + (width - left - DEVICE_WIDTH - right) / 2;
      let y = 0;
      column.forEach((id, index) => {
        const margin = margins[index]!;
        groupPositions[id] = { x: deviceX, y: y + margin.top };
        y += margin.top + Math.max(DEVICE_HEIGHT, SOCKET_ROW_Y - PEER_HEIGHT / 2 + margin.stack) + margin.bottom + ROW_GAP;
      });
      height = Math.max(height, y);
      x += width + COLUMN_GAP;
    }
    const groupWidth = x - COLUMN_GAP;

    if (bandX > 0 && bandX + groupWidth > MAX_BAND_WIDTH) {
      bandY += bandHeight;
      bandX = 0;
      bandHeight = 0;
    }
    for (const [id, point] of Object.entries(groupPositions)) positions[id] = { x: point.x + bandX, y: point.y + bandY };
    bandX += groupWidth + COLUMN_GAP;
    bandHeight = Math.max(bandHeight, height);
  }
  return positions;
}

/** Wires between two devices in `ids`, as pairs of device ids and roles. */
function deviceLinks(document: Topology, ids: readonly string[]): Array<{ from: string; fromRole: SocketRole; to: string; toRole: SocketRole }> {
  const inSet = new Set(ids);
  const links: Array<{ from: string; fromRole: SocketRole; to: string; toRole: SocketRole }> = [];
  const binds = new Map<string, Array<{ device: string; role: SocketRole }>>();
  for (const device of document.devices) {
    for (const role of ['in', 'out', 'mon', 'ctrl'] as const) {
      for (const endpoint of device[role]?.bind ?? []) {
        const list = binds.get(endpoint) ?? [];
        list.push({ device: device.id, role });
        binds.set(endpoint, list);
      }
    }
  }
  for (const device of document.devices) {
    for (const role of ['in', 'out', 'mon', 'ctrl'] as const) {
      for (const endpoint of device[role]?.connect ?? []) {
        for (const bind of binds.get(endpoint) ?? []) {
          if (inSet.has(device.id) && inSet.has(bind.device) && bind.device !== device.id) {
            links.push({ from: device.id, fromRole: role, to: bind.device, toRole: bind.role });
          }
        }
      }
    }
  }
  return links;
}

/**
 * Ranks devices by the longest chain of data flow before them: a link from
 * an out or mon socket to an in socket puts the sender one column left of
 * the receiver. A cycle stops growing after one pass per device.
 */
function rankDevices(document: Topology, ids: readonly string[]): Map<string, number> {
  const flows: Array<[string, string]> = [];
  for (const link of deviceLinks(document, ids)) {
    const sends = (role: SocketRole) => role === 'out' || role === 'mon';
    if (sends(link.fromRole) && link.toRole === 'in') flows.push([link.from, link.to]);
    else if (sends(link.toRole) && link.fromRole === 'in') flows.push([link.to, link.from]);
  }
  const ranks = new Map(ids.map((id) => [id, 0]));
  for (let pass = 0; pass < ids.length; pass++) {
    let changed = false;
    for (const [sender, receiver] of flows) {
      const next = (ranks.get(sender) ?? 0) + 1;
      if (next > (ranks.get(receiver) ?? 0) && next < ids.length) {
        ranks.set(receiver, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return ranks;
}

/** Splits devices into groups that wires connect, each in file order. */
function groupDevices(document: Topology, ids: readonly string[]): string[][] {
  const parent = new Map(ids.map((id) => [id, id]));
  const root = (id: string): string => {
    let current = id;
    while (parent.get(current) !== current) current = parent.get(current)!;
    return current;
  };
  for (const link of deviceLinks(document, ids)) parent.set(root(link.from), root(link.to));
  const groups = new Map<string, string[]>();
  for (const id of ids) {
    const key = root(id);
    const group = groups.get(key) ?? [];
    group.push(id);
    groups.set(key, group);
  }
  return [...groups.values()];
}

function deviceBox(point: Point): Box {
  return { x: point.x, y: point.y, width: DEVICE_WIDTH, height: DEVICE_HEIGHT };
}

function overlaps(a: Box, b: Box): boolean {
  const margin = PEER_STACK_GAP;
  return a.x < b.x + b.width + margin && b.x < a.x + a.width + margin && a.y < b.y + b.height + margin && b.y < a.y + a.height + margin;
}

const SIDES: Record<SocketRole, PeerLayout['side']> = { in: 'right', out: 'left', mon: 'top', ctrl: 'bottom' };

/** Places each peer beside its socket, stepping away along that side while it overlaps a node placed before it. */
function placePeers(document: Topology, peerInfo: readonly PeerInfo[], devices: Record<string, Point>): Record<string, PeerLayout> {
  const saved = document.layout ?? {};
  const occupied: Box[] = Object.values(devices).map(deviceBox);
  const peers: Record<string, PeerLayout> = {};

  for (const info of peerInfo) {
    const savedPosition = saved[info.peer.id];
    if (savedPosition) {
      peers[info.peer.id] = { position: savedPosition, width: info.width, side: SIDES[info.role], label: info.label };
      occupied.push({ ...savedPosition, width: info.width, height: PEER_HEIGHT });
    }
  }

  for (const info of peerInfo) {
    if (peers[info.peer.id]) continue;
    const device = devices[info.device] ?? ORIGIN;
    const vertical = info.role === 'in' || info.role === 'out';
    let box: Box = { ...preferredPosition(info, device), width: info.width, height: PEER_HEIGHT };
    // Bounded: each step clears at least one peer's height or width, so this many steps pass every node.
    for (let step = 0; step <= occupied.length && occupied.some((other) => overlaps(box, other)); step++) {
      box = vertical ? { ...box, y: box.y + PEER_HEIGHT + PEER_STACK_GAP } : { ...box, x: box.x + info.width + PEER_STACK_GAP };
    }
    occupied.push(box);
    peers[info.peer.id] = { position: { x: box.x, y: box.y }, width: info.width, side: SIDES[info.role], label: info.label };
  }
  return peers;
}

function preferredPosition(info: PeerInfo, device: Point): Point {
  switch (info.role) {
    case 'in':
      return { x: device.x - PEER_GAP - info.width, y: device.y + SOCKET_ROW_Y - PEER_HEIGHT / 2 };
    case 'out':
      return { x: device.x + DEVICE_WIDTH + PEER_GAP, y: device.y + SOCKET_ROW_Y - PEER_HEIGHT / 2 };
    case 'mon':
      return { x: device.x + DEVICE_WIDTH / 2 - info.width / 2, y: device.y + DEVICE_HEIGHT + PEER_GAP };
    case 'ctrl':
      return { x: device.x + DEVICE_WIDTH / 2 - info.width / 2, y: device.y - PEER_GAP - PEER_HEIGHT };
  }
}
