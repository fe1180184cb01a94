/**
 * The topology graph: devices as nodes with one handle per socket role,
 * external peers as small nodes, and wires derived from endpoints. Dragging
 * from one socket handle to another writes a bind and a matching connect.
 */
import {
  Background,
  ConnectionMode,
  Controls,
  Handle,
  Position,
  ReactFlow,
  applyEdgeChanges,
  applyNodeChanges,
  type Connection,
  type Edge,
  type EdgeChange,
  type Node,
  type NodeChange,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { memo, useCallback, useEffect, useMemo, useState } from 'react';
import type { Edit, SocketRef } from '../../core/edit.js';
import { SOCKET_ROLES, type DeviceSpec, type SocketRole } from '../../core/topology.js';
import { formatRate, useRateStore } from '../monitor/rates.js';
import { selectDeviceState, useAppStore } from '../store.js';
import type { ExternalPeer } from '../../core/wiring.js';
import { deriveGraph, isPeerNode, type GraphEdge } from './graph.js';
import { layoutGraph, SOCKET_ROW_Y, type GraphLayout, type PeerLayout } from './layout.js';
import { select, showNotice, useEditorActions, useEditorStore } from './editor-store.js';

type DeviceNodeData = { device: DeviceSpec };
type PeerNodeData = { peer: ExternalPeer; layout: PeerLayout };
type DeviceNode = Node<DeviceNodeData, 'device'>;
type PeerNode = Node<PeerNodeData, 'peer'>;
type GraphNode = DeviceNode | PeerNode;

const HANDLE_POSITION: Record<SocketRole, Position> = {
  in: Position.Left,
  out: Position.Right,
  mon: Position.Bottom,
  ctrl: Position.Top,
};

const PEER_HANDLE_POSITION: Record<PeerLayout['side'], Position> = {
  left: Position.Left,
  right: Position.Right,
  top: Position.Top,
  bottom: Position.Bottom,
};

const NODE_TYPES = { device: memo(DeviceNodeView), peer: memo(PeerNodeView) };

function buildNodes(document: { devices: DeviceSpec[] }, peers: readonly ExternalPeer[], layout: GraphLayout, selected: string | null): GraphNode[] {
  const nodes: GraphNode[] = document.devices.map((device) => ({
    id: device.id,
    type: 'device',
    position: layout.devices[device.id] ?? { x: 0, y: 0 },
    data: { device },
    selected: device.id === selected,
  }));
  for (const peer of peers) {
    const peerLayout = layout.peers[peer.id];
    if (!peerLayout) continue;
    nodes.push({ id: peer.id, type: 'peer', position: peerLayout.position, data: { peer, layout: peerLayout }, selected: peer.id === selected });
  }
  return nodes;
}

/** Returns the label of a wire: the endpoint between two devices, a warning when the types do not pair. */
function wireLabel(edge: GraphEdge): string | undefined {
  if (!edge.compatible) return `${edge.endpoint} (types do not pair)`;
  // A peer node shows its endpoint, so only wires between devices carry it as a label.
  if (isPeerNode(edge.source) || isPeerNode(edge.target)) return undefined;
  return edge.endpoint;
}

function toFlowEdge(edge: GraphEdge): Edge {
  const flowEdge: Edge = {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    label: wireLabel(edge),
    className: edge.compatible ? undefined : 'wire-incompatible',
    data: { removal: edge.removal },
    domAttributes: { 'data-testid': `wire-${edge.id}` } as never,
  };
  if (edge.sourceRole) flowEdge.sourceHandle = edge.sourceRole;
  if (edge.targetRole) flowEdge.targetHandle = edge.targetRole;
  return flowEdge;
}

export function GraphEditor() {
  const document = useAppStore((state) => state.document);
  const selected = useEditorStore((state) => state.selection?.node ?? null);
  const opened = useEditorStore((state) => state.opened);
  const actions = useEditorActions();
  const [nodes, setNodes] = useState<GraphNode[]>([]);
  const [edges, setEdges] = useState<Edge[]>([]);
  const graph = useMemo(() => (document ? deriveGraph(document) : { edges: [], peers: [] }), [document]);
  const layout = useMemo(() => (document ? layoutGraph(document, graph.peers) : { devices: {}, peers: {} }), [document, graph]);

  // The document owns nodes and edges. Local state only follows a drag or an edge selection in progress.
  useEffect(() => {
    setNodes(document ? buildNodes(document, graph.peers, layout, selected) : []);
  }, [document, graph, layout, selected]);
  useEffect(() => {
    setEdges(graph.edges.map(toFlowEdge));
  }, [graph]);

  const onNodesChange = useCallback((changes: NodeChange<GraphNode>[]) => {
    setNodes((current) => applyNodeChanges(changes, current));
  }, []);

  const onEdgesChange = useCallback((changes: EdgeChange[]) => {
    setEdges((current) => applyEdgeChanges(changes, current));
  }, []);

  const onNodeDragStop = useCallback(
    (_event: unknown, _node: GraphNode, dragged: GraphNode[]) => {
      // Devices placed by the automatic layout are saved too, so that they stay where they are shown.
      const positions: Record<string, { x: number; y: number }> = {};
      for (const [id, position] of Object.entries(layout.devices)) {
        if (!document?.layout?.[id]) positions[id] = position;
      }
      for (const node of dragged) positions[node.id] = node.position;
      actions.edit({ type: 'layout:move', positions });
    },
    [actions, document, layout],
  );

  const onConnect = useCallback(
    (connection: Connection) => {
      const from = socketOf(connection.source, connection.sourceHandle);
      const to = socketOf(connection.target, connection.targetHandle);
      if (from && to) {
        actions.edit({ type: 'wire:connect', from, to });
        return;
      }
      showNotice({
        kind: 'error',
        text: 'An external peer is a program outside the topology, so it cannot be wired from here. Drag between two device sockets, or edit the socket\'s endpoints in the inspector.',
      });
    },
    [actions],
  );

  // Delete and Backspace remove the selected wires through editor changes, so they can be undone. The
  // shortcuts in shortcuts.ts delete the selected device, because they read the editor's selection, which
  // is set on click, while the graph's own selection follows a render later. The graph's own removal is
  // cancelled because the next document rebuilds nodes and edges.
  const onBeforeDelete = useCallback(
    async ({ edges: deletedEdges }: { nodes: GraphNode[]; edges: Edge[] }) => {
      for (const edge of deletedEdges) {
        const data = edge.data as { removal: Edit } | undefined;
        if (data) actions.edit(data.removal);
      }
      return false;
    },
    [actions],
  );

  // A selected wire takes the selection from the device, so that Delete removes only the wire.
  const onSelectionChange = useCallback(({ nodes: selectedNodes, edges: selectedEdges }: { nodes: GraphNode[]; edges: Edge[] }) => {
    if (selectedEdges.length > 0 && selectedNodes.length === 0) select(null);
  }, []);

  if (!document || document.devices.length === 0) {
    return (
      <div className="graph-empty" data-testid="graph-empty">
        <p>This topology has no devices yet.</p>
        <p>Add one from the palette on the left, open a topology file, or open an example from the toolbar.</p>
      </div>
    );
  }

  return (
    <div className="graph" data-testid="graph">
      {/* A new key for each opened document mounts a new view, which fits the whole graph into the pane. */}
      <ReactFlow<GraphNode>
        key={opened}
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        connectionMode={ConnectionMode.Loose}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onNodeDragStop={onNodeDragStop}
        onConnect={onConnect}
        onBeforeDelete={onBeforeDelete}
        onNodeClick={(_event, node) => select({ node: node.id })}
        onPaneClick={() => select(null)}
        onSelectionChange={onSelectionChange}
        deleteKeyCode={['Delete', 'Backspace']}
        colorMode="system"
        fitView
        fitViewOptions={{ maxZoom: 1 }}
        minZoom={0.2}
        proOptions={{ hideAttribution: true }}
      >
        <Background />
        <Controls showInteractive={false} />
      </ReactFlow>
    </div>
  );
}

function socketOf(node: string, handle: string | null | undefined): SocketRef | undefined {
  if (isPeerNode(node)) return undefined;
  const role = SOCKET_ROLES.find((candidate) => candidate === handle);
  return role ? { device: node, role } : undefined;
}

function DeviceNodeView({ data, selected }: NodeProps<DeviceNode>) {
  const { device } = data;
  const state = useAppStore(selectDeviceState(device.id));
  const latest = useRateStore((rates) => rates.samples[device.id]?.at(-1));
  const running = state.state === 'running' || state.state === 'paused';

  return (
    <div
      className={`device-node state-${state.state}${selected ? ' selected' : ''}`}
      data-testid={`node-${device.id}`}
      data-state={state.state}
      title={state.state === 'failed' ? state.reason : undefined}
    >
      <div className="device-node-title">
        <strong>{device.id}</strong>
        <span className={`badge badge-${state.state}`} data-testid="node-state">
          {state.state}
        </span>
      </div>
      <div className="device-node-kind">{device.kind}</div>
      <div className="device-node-sockets">
        <span>{device.in ? `in ${device.in.type}` : ''}</span>
        <span>{device.out ? `out ${device.out.type}` : ''}</span>
      </div>
      {running && latest && (
        <div className="device-node-rates" data-testid="node-rates">
          in {formatRate(latest.inRate)} · out {formatRate(latest.outRate)}
        </div>
      )}
      {state.state === 'failed' && (
        <div className="device-node-reason" data-testid="node-reason">
          {state.reason}
        </div>
      )}
      {SOCKET_ROLES.map((role) => {
        const socket = device[role];
        if (!socket) return null;
        return (
          <Handle
            key={role}
            id={role}
            type="source"
            position={HANDLE_POSITION[role]}
            className={`socket-handle socket-${role}`}
            data-testid={`handle-${device.id}-${role}`}
            title={`${device.id}.${role} (${socket.type})`}
            style={role === 'in' || role === 'out' ? { top: SOCKET_ROW_Y } : undefined}
          >
            {(role === 'mon' || role === 'ctrl') && (
              <span className="socket-label">
                {role} {socket.type}
              </span>
            )}
          </Handle>
        );
      })}
    </div>
  );
}

function PeerNodeView({ data, selected }: NodeProps<PeerNode>) {
  const { peer, layout } = data;
  const verb = peer.kind === 'server' ? 'binds' : 'connects to';
  return (
    <div
      className={`peer-node${selected ? ' selected' : ''}`}
      style={{ width: layout.width }}
      data-testid={`peer-${peer.endpoint}`}
      data-kind={peer.kind}
      title={`A program outside this topology that ${verb} ${peer.endpoint}`}
    >
      <div className="peer-node-title" data-testid="peer-label">
        {layout.label}
      </div>
      <div className="peer-node-endpoint">{peer.endpoint}</div>
      <Handle id="peer" type="source" position={PEER_HANDLE_POSITION[layout.side]} className="socket-handle" />
    </div>
  );
}
