/**
 * The inspector: the selected device's kind, id, restart policy, prefixes,
 * run controls and live counters, and per socket its type, binds, connects
 * and options. A problem's JSON path focuses the matching field.
 */
import { useEffect, useMemo } from 'react';
import type { SocketRef } from '../../core/edit.js';
import { compatiblePeers } from '../../core/edit.js';
import {
  DEFAULT_PREFIX,
  DEVICE_KINDS,
  RESTART_POLICIES,
  SOCKET_TYPES,
  type DeviceKind,
  type DeviceSpec,
  type RestartPolicy,
  type SocketRole,
  type SocketType,
} from '../../core/topology.js';
import { deriveGraph, isPeerNode } from '../editor/graph.js';
import { select, useEditorActions, useEditorStore } from '../editor/editor-store.js';
import { RunControls } from './RunControls.js';
import { CommitInput, LinesInput } from './fields.js';
import { OptionsEditor } from './OptionsEditor.js';
import { useAppStore } from '../store.js';

export function Inspector() {
  const selection = useEditorStore((state) => state.selection);
  const document = useAppStore((state) => state.document);

  useFocusPath(selection?.path);

  if (!document || !selection) {
    return (
      <aside className="inspector" data-testid="inspector">
        <p className="hint">Select a device in the graph to edit its sockets and options, or a wire's peer to see its endpoint.</p>
      </aside>
    );
  }

  if (isPeerNode(selection.node)) {
    return (
      <aside className="inspector" data-testid="inspector">
        <PeerInspector id={selection.node} />
      </aside>
    );
  }

  const index = document.devices.findIndex((device) => device.id === selection.node);
  const device = document.devices[index];
  if (!device) {
    return (
      <aside className="inspector" data-testid="inspector">
        <p className="hint">Device "{selection.node}" is no longer in the topology.</p>
      </aside>
    );
  }
  return (
    <aside className="inspector" data-testid="inspector">
      <DeviceInspector device={device} path={`$.devices[${index}]`} />
    </aside>
  );
}

/**
 * Focuses the inspector field whose `data-path` is the longest prefix of
 * `path`, so `$.devices[0].in.bind[1]` lands on the bind list of that socket.
 */
function useFocusPath(path: string | undefined) {
  useEffect(() => {
    const container = window.document.querySelector('[data-testid="inspector"]');
    if (!container || !path) return;
    let candidate = path;
    while (candidate.length > 1) {
      const element = container.querySelector<HTMLElement>(`[data-path="${CSS.escape(candidate)}"]`);
      if (element) {
        element.focus();
        element.scrollIntoView({ block: 'nearest' });
        element.classList.add('flash');
        setTimeout(() => element.classList.remove('flash'), 1200);
        return;
      }
      const shorter = candidate.replace(/(\[\d+\]|\.[^.[]+)$/, '');
      if (shorter === candidate) return;
      candidate = shorter;
    }
  }, [path]);
}

function DeviceInspector({ device, path }: { device: DeviceSpec; path: string }) {
  const actions = useEditorActions();
  const id = device.id;
  const hasMonitor = Boolean(device.mon);

  return (
    <div data-testid={`inspector-${id}`}>
      <h2>Device</h2>
      <label className="field">
        <span>Id</span>
        <CommitInput
          data-path={`${path}.id`}
          data-testid="device-id"
          value={id}
          onCommit={(newId) => actions.edit({ type: 'device:rename', id, newId: newId.trim() })}
        />
      </label>
      <label className="field">
        <span>Kind</span>
        <select
          data-path={`${path}.kind`}
          data-testid="device-kind"
          value={device.kind}
          onChange={(event) => actions.edit({ type: 'device:set-kind', id, kind: event.currentTarget.value as DeviceKind })}
        >
          {DEVICE_KINDS.map((kind) => (
            <option key={kind}>{kind}</option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Restart</span>
        <select
          data-path={`${path}.restart`}
          data-testid="device-restart"
          value={device.restart ?? 'never'}
          onChange={(event) =>
            actions.edit({ type: 'device:set-restart', id, restart: event.currentTarget.value as RestartPolicy })
          }
        >
          {RESTART_POLICIES.map((policy) => (
            <option key={policy}>{policy}</option>
          ))}
        </select>
      </label>
      {hasMonitor && (
        <div className="field-pair">
          <label className="field">
            <span>Prefix in</span>
            <CommitInput
              data-path={`${path}.prefix.in`}
              data-testid="prefix-in"
              placeholder={DEFAULT_PREFIX.in}
              value={device.prefix?.in ?? ''}
              onCommit={(value) => actions.edit({ type: 'device:set-prefix', id, prefix: { in: value } })}
            />
          </label>
          <label className="field">
            <span>Prefix out</span>
            <CommitInput
              data-path={`${path}.prefix.out`}
              data-testid="prefix-out"
              placeholder={DEFAULT_PREFIX.out}
              value={device.prefix?.out ?? ''}
              onCommit={(value) => actions.edit({ type: 'device:set-prefix', id, prefix: { out: value } })}
            />
          </label>
        </div>
      )}
      <div className="row-actions">
        <button type="button" data-testid="device-duplicate" onClick={() => actions.edit({ type: 'device:duplicate', id })}>
          Duplicate
        </button>
        <button type="button" className="danger" data-testid="device-delete" onClick={() => actions.edit({ type: 'device:delete', ids: [id] })}>
          Delete
        </button>
      </div>

      <RunControls id={id} />

      {(['in', 'out', 'mon', 'ctrl'] as const).map((role) =>
        device[role] ? (
          <SocketEditor key={role} device={device} role={role} path={`${path}.${role}`} />
        ) : role === 'mon' || role === 'ctrl' ? (
          <button
            key={role}
            type="button"
            data-testid={`add-socket-${role}`}
            onClick={() => actions.edit({ type: 'socket:add', device: id, role })}
          >
            Add {role === 'mon' ? 'monitor' : 'steering'} socket ({role})
          </button>
        ) : null,
      )}
    </div>
  );
}

const ROLE_TITLES: Record<SocketRole, string> = {
  in: 'in: frontend socket',
  out: 'out: backend socket',
  mon: 'mon: monitor copy of every message',
  ctrl: 'ctrl: steering (PAUSE, RESUME, TERMINATE, STATISTICS)',
};

function SocketEditor({ device, role, path }: { device: DeviceSpec; role: SocketRole; path: string }) {
  const actions = useEditorActions();
  const spec = device[role]!;
  const socket: SocketRef = { device: device.id, role };

  return (
    <section className="socket-editor" data-testid={`socket-${role}`}>
      <h3>
        {ROLE_TITLES[role]}
        {(role === 'mon' || role === 'ctrl') && (
          <button
            type="button"
            className="link"
            data-testid={`remove-socket-${role}`}
            onClick={() => actions.edit({ type: 'socket:remove', device: device.id, role })}
          >
            Remove
          </button>
        )}
      </h3>
      <label className="field">
        <span>Type</span>
        <select
          data-path={`${path}.type`}
          data-testid={`socket-${role}-type`}
          value={spec.type}
          onChange={(event) =>
            actions.edit({ type: 'socket:set-type', socket, socketType: event.currentTarget.value as SocketType })
          }
        >
          {SOCKET_TYPES.map((type) => (
            <option key={type}>{type}</option>
          ))}
        </select>
      </label>
      <p className="help">Pairs with {compatiblePeers(spec.type).join(', ') || 'no ZeroMQ socket type'}.</p>
      <label className="field">
        <span>Bind</span>
        <LinesInput
          data-path={`${path}.bind`}
          data-testid={`socket-${role}-bind`}
          placeholder="tcp://127.0.0.1:5555, one per line"
          lines={spec.bind ?? []}
          onCommit={(endpoints) => actions.edit({ type: 'socket:set-endpoints', socket, list: 'bind', endpoints })}
        />
      </label>
      <label className="field">
        <span>Connect</span>
        <LinesInput
          data-path={`${path}.connect`}
          data-testid={`socket-${role}-connect`}
          placeholder="tcp://127.0.0.1:5560, one per line"
          lines={spec.connect ?? []}
          onCommit={(endpoints) => actions.edit({ type: 'socket:set-endpoints', socket, list: 'connect', endpoints })}
        />
      </label>
      <button type="button" className="link" data-testid={`add-peer-${role}`} onClick={() => actions.edit({ type: 'peer:add', socket })}>
        Connect to a new external peer
      </button>
      <h4>Options</h4>
      <OptionsEditor socket={socket} spec={spec} path={path} />
    </section>
  );
}

function PeerInspector({ id }: { id: string }) {
  const actions = useEditorActions();
  const document = useAppStore((state) => state.document);
  const graph = useMemo(() => (document ? deriveGraph(document) : undefined), [document]);
  const peer = graph?.peers.find((candidate) => candidate.id === id);
  if (!graph || !peer) return <p className="hint">This external peer is no longer in the topology.</p>;
  const edges = graph.edges.filter((edge) => edge.source === id || edge.target === id);

  return (
    <div data-testid="inspector-peer">
      <h2>External {peer.kind}</h2>
      <p>
        <code data-testid="peer-endpoint">{peer.endpoint}</code>
      </p>
      <p className="hint">
        {peer.kind === 'server'
          ? 'Devices connect to this endpoint and no device binds it, so a program outside the topology must bind it.'
          : 'A device binds this endpoint and no device connects to it, so programs outside the topology connect here: clients, workers or subscribers.'}
      </p>
      <ul>
        {edges.map((edge) => {
          const socket = edge.source === id ? `${edge.target}.${edge.targetRole}` : `${edge.source}.${edge.sourceRole}`;
          return (
            <li key={edge.id}>
              {socket} {peer.kind === 'server' ? 'connects here' : 'binds here'}{' '}
              <button
                type="button"
                className="link"
                onClick={() => {
                  actions.edit(edge.removal);
                  select(null);
                }}
              >
                {peer.kind === 'server' ? 'Remove connect' : 'Remove bind'}
              </button>
            </li>
          );
        })}
      </ul>
    </div>
  );
}
