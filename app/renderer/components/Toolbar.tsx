import { useRef, type ChangeEvent } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { EXAMPLES } from '../examples.js';
import { useAppStore } from '../store.js';

/** Returns the file format a file name's extension names, or undefined to let the engine detect it. */
function formatOfFileName(name: string): 'json' | 'yaml' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

export function Toolbar() {
  const name = useAppStore((state) => state.document?.name ?? '');
  const { replaceDocument, importDocument, startDevices, stopDevices } = useAppStore(
    useShallow((state) => ({
      replaceDocument: state.replaceDocument,
      importDocument: state.importDocument,
      startDevices: state.startDevices,
      stopDevices: state.stopDevices,
    })),
  );
  const exampleSelect = useRef<HTMLSelectElement>(null);

  const openExample = () => {
    const example = EXAMPLES[Number(exampleSelect.current?.value ?? 0)];
    if (example) void replaceDocument(example.topology);
  };

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    input.value = '';
    await importDocument(text, formatOfFileName(file.name));
  };

  return (
    <header className="toolbar" data-testid="toolbar">
      <h1 className="topology-name" data-testid="topology-name">
        {name || 'No topology'}
      </h1>
      <div className="toolbar-group">
        <select ref={exampleSelect} data-testid="example-select" aria-label="Example">
          {EXAMPLES.map((example, index) => (
            <option key={example.topology.name} value={index}>
              {example.title}
            </option>
          ))}
        </select>
        <button type="button" data-testid="open-example" onClick={openExample}>
          Open example
        </button>
        <label className="file-button">
          Import…
          <input type="file" accept=".json,.yaml,.yml" data-testid="import-file" onChange={importFile} />
        </label>
      </div>
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
