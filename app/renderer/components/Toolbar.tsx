/**
 * The window's one toolbar: the topology name and the file commands, then
 * the commands that start and stop every device, then the count of running
 * and failed devices.
 */
import { useShallow } from 'zustand/react/shallow';
import { FileBar } from '../editor/FileBar.js';
import { useAppStore } from '../store.js';

export function Toolbar() {
  const { startDevices, stopDevices } = useAppStore(
    useShallow((state) => ({
      startDevices: state.startDevices,
      stopDevices: state.stopDevices,
    })),
  );

  return (
    <header className="toolbar" data-testid="toolbar">
      <FileBar />
      <div className="toolbar-group">
        <button type="button" data-testid="start-all" onClick={() => void startDevices()}>
          ▶ Start all
        </button>
        <button type="button" data-testid="stop-all" onClick={() => void stopDevices()}>
          ■ Stop all
        </button>
      </div>
      <StateSummary />
    </header>
  );
}

function StateSummary() {
  const summary = useAppStore(
    useShallow((state) => {
      const ids = state.document?.devices.map((device) => device.id) ?? [];
      const states = ids.map((id) => state.states[id]?.state ?? 'stopped');
      return {
        running: states.filter((value) => value === 'running').length,
        failed: states.filter((value) => value === 'failed' || value === 'crashed').length,
      };
    }),
  );
  return (
    <span className="state-summary" data-testid="state-summary">
      {summary.running} running, {summary.failed} failed
    </span>
  );
}
