/**
 * Wires and external peers derived from endpoints. Nothing here is stored in
 * the topology file: a wire exists wherever one socket binds an endpoint that
 * another connects to.
 */
import { bindReaches, endpointKey, parseEndpoint, type Endpoint, type EndpointUse } from './endpoint.js';
import { canPair } from './peers.js';
import { deviceSockets, type SocketRole, type SocketType, type Topology } from './topology.js';

/** One endpoint of one device socket, as written in the file. */
export interface SocketRef {
  device: string;
  role: SocketRole;
  endpoint: string;
}

/** A link from a connecting socket (`from`) to the socket that binds the endpoint (`to`). */
export interface Wire {
  /** Stable id: `device.role->device.role@endpoint` of the connect. */
  id: string;
  from: SocketRef;
  to: SocketRef;
  /** Whether ZeroMQ pairs the two socket types; an incompatible peer is dropped silently by libzmq. */
  compatible: boolean;
}

/**
 * A program outside the topology. `server` binds an endpoint that devices
 * connect to (an upstream broker or publisher). `client` connects to an
 * endpoint that a device binds and no other device connects to.
 */
export interface ExternalPeer {
  /** Stable id, also the key of its position in the file's layout: `external:` plus the endpoint. */
  id: string;
  kind: 'server' | 'client';
  endpoint: string;
  /** The device sockets that use this endpoint. */
  sockets: SocketRef[];
}

export interface Wiring {
  wires: Wire[];
  externalPeers: ExternalPeer[];
}

interface Site {
  ref: SocketRef;
  type: SocketType;
  use: EndpointUse;
  endpoint: Endpoint;
}

/** Derives wires and external peers. Endpoints that do not parse are left out, because validation reports them. */
export function deriveWiring(document: Topology): Wiring {
  const sites: Site[] = [];
  for (const device of document.devices) {
    for (const [role, socket] of deviceSockets(device)) {
      for (const use of ['bind', 'connect'] as const) {
        for (const text of socket[use] ?? []) {
          const parsed = parseEndpoint(text, use);
          if (parsed.ok) sites.push({ ref: { device: device.id, role, endpoint: text }, type: socket.type, use, endpoint: parsed.endpoint });
        }
      }
    }
  }

  const binds = sites.filter((site) => site.use === 'bind');
  const connects = sites.filter((site) => site.use === 'connect');
  const wires: Wire[] = [];
  const servers = new Map<string, ExternalPeer>();
  const connectedBinds = new Set<Site>();

  for (const connect of connects) {
    const targets = binds.filter((bind) => bindReaches(bind.endpoint, connect.endpoint));
    for (const bind of targets) {
      connectedBinds.add(bind);
      wires.push({
        id: `${connect.ref.device}.${connect.ref.role}->${bind.ref.device}.${bind.ref.role}@${connect.ref.endpoint}`,
        from: { ...connect.ref },
        to: { ...bind.ref },
        compatible: canPair(connect.type, bind.type),
      });
    }
    if (targets.length === 0) addPeer(servers, 'server', connect);
  }

  const clients = new Map<string, ExternalPeer>();
  for (const bind of binds) {
    if (!connectedBinds.has(bind)) addPeer(clients, 'client', bind);
  }

  return { wires, externalPeers: [...servers.values(), ...clients.values()] };
}

function addPeer(peers: Map<string, ExternalPeer>, kind: ExternalPeer['kind'], site: Site): void {
  const key = endpointKey(site.endpoint);
  const existing = peers.get(key);
  if (existing) {
    existing.sockets.push({ ...site.ref });
    return;
  }
  peers.set(key, { id: `external:${key}`, kind, endpoint: site.ref.endpoint, sockets: [{ ...site.ref }] });
}
