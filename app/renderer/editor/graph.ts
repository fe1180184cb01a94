/**
 * The graph's edges, derived from `deriveWiring`: one edge per wire between
 * device sockets, and one per device socket that uses an external peer's
 * endpoint. Each edge carries the edit that removes it.
 */
import type { Edit } from '../../core/edit.js';
import type { SocketRole, Topology } from '../../core/topology.js';
import { deriveWiring, type ExternalPeer } from '../../core/wiring.js';

export interface GraphEdge {
  id: string;
  /** Device id of the socket that connects, or the peer node for a peer that connects to a device's bind. */
  source: string;
  sourceRole?: SocketRole;
  target: string;
  targetRole?: SocketRole;
  endpoint: string;
  /** False when libzmq would drop the peer because the socket types do not pair. */
  compatible: boolean;
  /** The edit that deletes this edge: removes the connect, or the bind a client peer uses. */
  removal: Edit;
}

export function deriveGraph(document: Topology): { edges: GraphEdge[]; peers: ExternalPeer[] } {
  const wiring = deriveWiring(document);
  const edges: GraphEdge[] = wiring.wires.map((wire) => ({
    id: `wire:${wire.id}`,
    source: wire.from.device,
    sourceRole: wire.from.role,
    target: wire.to.device,
    targetRole: wire.to.role,
    endpoint: wire.from.endpoint,
    compatible: wire.compatible,
    removal: {
      type: 'wire:disconnect',
      socket: { device: wire.from.device, role: wire.from.role },
      endpoint: wire.from.endpoint,
    },
  }));

  for (const peer of wiring.externalPeers) {
    for (const socket of peer.sockets) {
      const ref = { device: socket.device, role: socket.role };
      const removal: Edit =
        peer.kind === 'server'
          ? { type: 'wire:disconnect', socket: ref, endpoint: socket.endpoint }
          : { type: 'socket:set-endpoints', socket: ref, list: 'bind', endpoints: bindsWithout(document, ref, socket.endpoint) };
      // The edge runs from the side that connects to the side that binds.
      edges.push(
        peer.kind === 'server'
          ? { id: `peer:${ref.device}.${ref.role}->${peer.id}`, source: ref.device, sourceRole: ref.role, target: peer.id, endpoint: socket.endpoint, compatible: true, removal }
          : { id: `peer:${peer.id}->${ref.device}.${ref.role}`, source: peer.id, target: ref.device, targetRole: ref.role, endpoint: socket.endpoint, compatible: true, removal },
      );
    }
  }
  return { edges, peers: wiring.externalPeers };
}

function bindsWithout(document: Topology, ref: { device: string; role: SocketRole }, endpoint: string): string[] {
  const device = document.devices.find((candidate) => candidate.id === ref.device);
  return (device?.[ref.role]?.bind ?? []).filter((candidate) => candidate !== endpoint);
}

/** Returns whether a graph node id is an external peer's. */
export function isPeerNode(id: string): boolean {
  return id.startsWith('external:');
}
