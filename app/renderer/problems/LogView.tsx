/** The engine's log entries, newest last, as the `log:entry` events delivered them. */
import { formatTime } from '../../core/monitor-buffer.js';
import { useAppStore } from '../store.js';

export function LogView() {
  const log = useAppStore((state) => state.log);
  const clearLog = useAppStore((state) => state.clearLog);
  if (log.length === 0) {
    return (
      <div className="problems-empty" data-testid="log-empty">
        No log entries yet. Device starts, stops and failures appear here.
      </div>
    );
  }
  return (
    <div className="log" data-testid="log">
      <button type="button" className="link log-clear" data-testid="log-clear" onClick={clearLog}>
        Clear log
      </button>
      <ul>
        {log.map((entry, index) => (
          <li key={index} className={`log-${entry.level}`} data-testid="log-entry">
            <span className="cell-time">{formatTime(entry.at)}</span> <span className="severity">{entry.level}</span>{' '}
            <span className="cell-device">[{entry.source}]</span> {entry.message}
          </li>
        ))}
      </ul>
    </div>
  );
}
