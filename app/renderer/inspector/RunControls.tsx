/**
 * Start, stop, pause and resume for one device, its state in words, its
 * counters and a live chart of its message rates.
 */
import { useState } from 'react';
import type { CommandName, DeviceState } from '../../core/contract.js';
import { useEngineClient } from '../editor/engine-client.js';
import { RateChart } from '../monitor/RateChart.js';
import { formatRate, useRateStore } from '../monitor/rates.js';
import { selectDeviceState, useAppStore } from '../store.js';

type RunCommand = Extract<CommandName, 'device:start' | 'device:stop' | 'device:pause' | 'device:resume'>;

export function RunControls({ id }: { id: string }) {
  const client = useEngineClient();
  const state = useAppStore(selectDeviceState(id));
  const counters = useAppStore((app) => app.counters[id]);
  const latest = useRateStore((rates) => rates.samples[id]?.at(-1));
  const [error, setError] = useState<string | null>(null);

  const run = async (command: RunCommand) => {
    setError(null);
    try {
      await client.request(command, { ids: [id] });
    } catch (failure) {
      setError(failure instanceof Error ? failure.message : String(failure));
    }
  };

  const idle = state.state === 'stopped' || state.state === 'failed' || state.state === 'crashed';
  return (
    <section className="run-controls" data-testid="run-controls">
      <h3>Run</h3>
      <p className="state-line">
        <span className={`badge badge-${state.state}`} data-testid="device-state">
          {state.state}
        </span>{' '}
        {stateDetail(state) && (
          <span className="state-reason" data-testid="device-state-reason">
            {stateDetail(state)}
          </span>
        )}
      </p>
      <div className="row-actions">
        <button type="button" data-testid="device-start" disabled={!idle} onClick={() => void run('device:start')}>
          Start
        </button>
        <button type="button" data-testid="device-stop" disabled={idle} onClick={() => void run('device:stop')}>
          Stop
        </button>
        <button type="button" data-testid="device-pause" disabled={state.state !== 'running'} onClick={() => void run('device:pause')}>
          Pause
        </button>
        <button type="button" data-testid="device-resume" disabled={state.state !== 'paused'} onClick={() => void run('device:resume')}>
          Resume
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert" data-testid="run-error">
          {error}
        </p>
      )}
      {state.state === 'running' && Object.keys(state.endpoints).length > 0 && (
        <ul className="endpoints" data-testid="device-endpoints">
          {Object.entries(state.endpoints).map(([role, endpoints]) => (
            <li key={role}>
              {role}: {endpoints.join(', ')}
            </li>
          ))}
        </ul>
      )}
      {counters && (
        <table className="counters" data-testid="device-counters">
          <thead>
            <tr>
              <th />
              <th>received</th>
              <th>sent</th>
            </tr>
          </thead>
          <tbody>
            <tr>
              <th>in</th>
              <td data-testid="counter-in-received">{counters.in.receivedMessages}</td>
              <td>{counters.in.sentMessages}</td>
            </tr>
            <tr>
              <th>out</th>
              <td>{counters.out.receivedMessages}</td>
              <td data-testid="counter-out-sent">{counters.out.sentMessages}</td>
            </tr>
            <tr>
              <th>monitor</th>
              <td />
              <td>
                {counters.monitorSent} sent, <span data-testid="counter-monitor-dropped">{counters.monitorDropped}</span> dropped
              </td>
            </tr>
          </tbody>
        </table>
      )}
      {latest && (
        <p className="rates" data-testid="device-rates">
          in {formatRate(latest.inRate)}, out {formatRate(latest.outRate)}, monitor drops {formatRate(latest.monitorDropRate)}
        </p>
      )}
      {(latest || !idle) && <RateChart device={id} />}
    </section>
  );
}

/** Returns what the state badge cannot show: a failure's reason, or how the device process ended. */
export function stateDetail(state: DeviceState): string | undefined {
  switch (state.state) {
    case 'failed':
      return state.reason;
    case 'crashed': {
      const how = state.signal ? `was killed by ${state.signal}` : `exited with code ${state.exitCode ?? 'unknown'}`;
      const restart = state.restartInMs !== undefined ? `; restarting in ${(state.restartInMs / 1000).toFixed(1)} s` : '';
      return `The device process ${how}${restart}.`;
    }
    default:
      return undefined;
  }
}
