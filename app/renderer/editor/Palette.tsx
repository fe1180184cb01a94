import { DEFAULT_SOCKET_TYPES, DEVICE_KINDS, type DeviceKind } from '../../core/topology.js';
import { useEditorActions } from './editor-store.js';

const KIND_TITLES: Record<DeviceKind, string> = {
  queue: 'Queue',
  forwarder: 'Forwarder',
  streamer: 'Streamer',
  'monitored-queue': 'Monitored queue',
};

/** Buttons that add a device of each kind with its default socket types. */
export function Palette() {
  const actions = useEditorActions();
  return (
    <aside className="palette" data-testid="palette" aria-label="Add a device">
      <h2>Add device</h2>
      {DEVICE_KINDS.map((kind) => {
        const types = DEFAULT_SOCKET_TYPES[kind];
        const sockets = [types.in, types.out, types.mon].filter(Boolean).join(' / ');
        return (
          <button
            key={kind}
            type="button"
            className="palette-item"
            data-testid={`palette-${kind}`}
            onClick={() => actions.edit({ type: 'device:add', kind })}
          >
            <span className="palette-title">{KIND_TITLES[kind]}</span>
            <span className="palette-sockets">{sockets}</span>
          </button>
        );
      })}
      <p className="hint">
        Drag from one socket handle to another to wire them. Select a device to edit its sockets in the inspector.
        Select a wire or a device and press Delete to remove it.
      </p>
    </aside>
  );
}
