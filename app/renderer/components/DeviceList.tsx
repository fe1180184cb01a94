import type { DeviceState } from '../../core/contract.js';
import type { DeviceSpec } from '../../core/topology.js';
import { selectDeviceState, useAppStore } from '../store.js';

export function DeviceList() {
  const devices = useAppStore((state) => state.document?.devices);
  if (!devices || devices.length === 0) {
    return (
      <p className="empty" data-testid="device-list-empty">
        No devices. Open an example or import a topology file.
      </p>
    );
  }
  return (
    <table className="device-list" data-testid="device-list">
      <thead>
        <tr>
          <th>Device</th>
          <th>Kind</th>
          <th>State</th>
          <th>Messages in</th>
          <th>Messages out</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {devices.map((device) => (
          <DeviceRow key={device.id} device={device} />
        ))}
      </tbody>
    </table>
  );
}

function DeviceRow({ device }: { device: DeviceSpec }) {
  const state = useAppStore(selectDeviceState(device.id));
  const counters = useAppStore((app) => app.counters[device.id]);
  const startDevices = useAppStore((app) => app.startDevices);
  const stopDevices = useAppStore((app) => app.stopDevices);
  const active = state.state !== 'stopped' && state.state !== 'failed' && state.state !== 'crashed';

  return (
    <tr data-testid={`device-${device.id}`} data-state={state.state} data-pid={state.state === 'running' ? state.pid : undefined}>
      <td className="device-id">{device.id}</td>
      <td>{device.kind}</td>
      <td>
        <StateBadge state={state} />
      </td>
      <td data-testid="messages-in">{counters?.in.receivedMessages ?? 0}</td>
      <td data-testid="messages-out">{counters?.out.sentMessages ?? 0}</td>
      <td>
        <span className="row-actions">
          <button type="button" data-testid="start" disabled={active} onClick={() => void startDevices([device.id])}>
            Start
          </button>
          <button type="button" data-testid="stop" disabled={!active} onClick={() => void stopDevices([device.id])}>
            Stop
          </button>
        </span>
      </td>
    </tr>
  );
}

/** Returns the detail line of a state, such as the failure reason or the exit code. */
function describeState(state: DeviceState): string {
  switch (state.state) {
    case 'running':
      return [state.pid === undefined ? '' : `pid ${state.pid}`, ...Object.values(state.endpoints).flat()].filter(Boolean).join(' ');
    case 'failed':
      return state.endpoint === undefined || state.reason.includes(state.endpoint) ? state.reason : `${state.reason} (${state.endpoint})`;
    case 'crashed':
      return `exit code ${state.exitCode ?? 'none'}, signal ${state.signal ?? 'none'}`;
    default:
      return '';
  }
}

function StateBadge({ state }: { state: DeviceState }) {
  const detail = describeState(state);
  return (
    <span className="state">
      <span className={`badge badge-${state.state}`} data-testid="state-badge">
        {state.state}
      </span>
      {detail && (
        <span className="state-detail" data-testid="state-detail">
          {detail}
        </span>
      )}
    </span>
  );
}
