/**
 * File commands of the editor: New, Open, Import, the examples, Save and
 * Export, plus undo and redo. Every command that replaces the document shows
 * a confirmation first when the document has unsaved changes. Files go
 * through the browser's file picker and downloads, which work the same in
 * Electron and in a browser against `switchyard serve`.
 */
import { useContext, useEffect, useRef, useState, type ChangeEvent } from 'react';
import type { DeviceState, ExportFormat } from '../../core/contract.js';
import { readTopology } from '../../core/file.js';
import type { Topology } from '../../core/topology.js';
import { emptyTopology } from '../../core/edit.js';
import { CommandFailedError } from '../client.js';
import { EXAMPLES } from '../examples.js';
import { AppStoreContext, useAppStore } from '../store.js';
import { useEngineClient } from './engine-client.js';
import { useShortcuts } from './shortcuts.js';
import { isDirty, markSaved, showNotice, useEditorActions, useEditorStore } from './editor-store.js';

const EXPORT_FILES: Record<ExportFormat, { extension: string; type: string; title: string }> = {
  json: { extension: 'json', type: 'application/json', title: 'JSON topology file' },
  yaml: { extension: 'yaml', type: 'application/yaml', title: 'YAML topology file' },
  pyzmq: { extension: 'py', type: 'text/x-python', title: 'PyZMQ script' },
};

/** Offers `text` as a download named `fileName`. */
export function downloadText(fileName: string, text: string, type: string): void {
  const url = URL.createObjectURL(new Blob([text], { type }));
  const anchor = window.document.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.click();
  // Revoke after the click has been handled, or some browsers cancel the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

function formatOfFileName(name: string): 'json' | 'yaml' | undefined {
  const lower = name.toLowerCase();
  if (lower.endsWith('.json')) return 'json';
  if (lower.endsWith('.yaml') || lower.endsWith('.yml')) return 'yaml';
  return undefined;
}

/** A file-safe version of the topology name. */
function fileStem(name: string): string {
  return name.replace(/[^A-Za-z0-9_.-]+/g, '-').replace(/^-+|-+$/g, '') || 'topology';
}

type PendingAction = { title: string; message: string; confirmLabel: string; run: () => void };

/** States in which a device has a process that replacing the document would stop. */
const ACTIVE_STATES: ReadonlySet<DeviceState['state']> = new Set(['starting', 'running', 'paused']);

/** Returns the ids of active devices that `next` lacks; the engine stops those when it replaces the document. */
export function devicesStoppedBy(states: Record<string, DeviceState>, next: Topology | undefined): string[] {
  const kept = new Set(next?.devices.map((device) => device.id) ?? []);
  return Object.entries(states)
    .filter(([id, state]) => ACTIVE_STATES.has(state.state) && !kept.has(id))
    .map(([id]) => id);
}

/** Names the running devices a replace stops, such as `Replacing the document stops 1 running device: broker.` */
function stopsMessage(ids: readonly string[]): string {
  const noun = ids.length === 1 ? 'device' : 'devices';
  return `Replacing the document stops ${ids.length} running ${noun}: ${ids.join(', ')}. Continue?`;
}

export function FileBar() {
  const client = useEngineClient();
  const actions = useEditorActions();
  const document = useAppStore((state) => state.document);
  const states = useAppStore((state) => state.states);
  const savedJson = useEditorStore((state) => state.savedJson);
  const canUndo = useEditorStore((state) => state.past.length > 0);
  const canRedo = useEditorStore((state) => state.future.length > 0);
  const [pending, setPending] = useState<PendingAction | null>(null);
  // The errors of the last rejected import, kept only while the document is the one they were reported
  // against, so that a later import or edit that succeeds clears them.
  const [rejectedImport, setRejectedImport] = useState<{ message: string; document: Topology | null } | null>(null);
  const importErrors = rejectedImport && rejectedImport.document === document ? rejectedImport.message : null;
  const setImportErrors = (message: string | null) => setRejectedImport(message === null ? null : { message, document });
  const [pasteOpen, setPasteOpen] = useState(false);
  const [exportFormat, setExportFormat] = useState<ExportFormat>('json');
  const openInput = useRef<HTMLInputElement>(null);
  const exampleSelect = useRef<HTMLSelectElement>(null);
  const dirty = isDirty(document, savedJson);
  const appStore = useContext(AppStoreContext);
  // Reads device states when a command runs, because the confirmation may come long after this render.
  const currentStates = () => appStore?.getState().states ?? states;

  /** Runs `action` at once, or after the user confirms discarding unsaved changes. */
  const guard = (title: string, action: () => void) => {
    if (dirty) setPending({ title, message: 'The open topology has unsaved changes. Discard them?', confirmLabel: 'Discard changes', run: action });
    else action();
  };

  /** Runs `replace` at once, or after the user confirms stopping the running devices that `next` removes. */
  const confirmStops = (title: string, next: Topology | undefined, replace: () => void) => {
    const stopped = devicesStoppedBy(currentStates(), next);
    if (stopped.length > 0) setPending({ title, message: stopsMessage(stopped), confirmLabel: 'Stop and replace', run: replace });
    else replace();
  };

  /** Imports `text`; `fileName` names the rejected file in the error list. */
  const importText = (text: string, format: 'json' | 'yaml' | undefined, title: string, fileName?: string) => {
    // A file that does not parse is rejected by the engine and stops nothing, so the confirmation is shown only for a readable file.
    const parsed = readTopology(text, format);
    confirmStops(title, parsed.ok ? parsed.document : undefined, () => void sendImport(text, format, fileName));
  };

  const sendImport = async (text: string, format: 'json' | 'yaml' | undefined, fileName: string | undefined) => {
    try {
      const state = await client.request('document:import', format ? { text, format } : { text });
      actions.reset();
      markSaved(state.document);
      setImportErrors(null);
      setPasteOpen(false);
      showNotice({ kind: 'info', text: `Opened "${state.document.name}".` });
    } catch (error) {
      if (error instanceof CommandFailedError) setImportErrors(fileName ? `"${fileName}": ${error.message}` : error.message);
      else throw error;
    }
  };

  const openExample = () => {
    const example = EXAMPLES[Number(exampleSelect.current?.value ?? 0)];
    if (!example) return;
    const title = `Open the example "${example.title}"`;
    guard(title, () => confirmStops(title, example.topology, () => void actions.load(example.topology)));
  };

  const openFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.currentTarget;
    const file = input.files?.[0];
    if (!file) return;
    const text = await file.text();
    input.value = '';
    importText(text, formatOfFileName(file.name), `Open "${file.name}"`, file.name);
  };

  const exportAs = async (format: ExportFormat) => {
    const { text } = await client.request('document:export', { format });
    const file = EXPORT_FILES[format];
    downloadText(`${fileStem(document?.name ?? '')}.${file.extension}`, text, file.type);
    return text;
  };

  const save = async () => {
    try {
      await exportAs('json');
      markSaved(document);
    } catch (error) {
      showNotice({ kind: 'error', text: `Saving failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  useShortcuts(() => void save());

  // Closing the window or tab with unsaved changes makes the browser show a confirmation.
  useEffect(() => {
    if (!dirty) return;
    const onBeforeUnload = (event: BeforeUnloadEvent) => event.preventDefault();
    window.addEventListener('beforeunload', onBeforeUnload);
    return () => window.removeEventListener('beforeunload', onBeforeUnload);
  }, [dirty]);

  const steerAll = async (command: 'device:pause' | 'device:resume') => {
    // The engine can pause only running devices and resume only paused ones, so the request names them.
    const requiredState = command === 'device:pause' ? 'running' : 'paused';
    const ids = Object.entries(states)
      .filter(([, state]) => state.state === requiredState)
      .map(([id]) => id);
    if (ids.length === 0) return;
    try {
      await client.request(command, { ids });
    } catch (error) {
      showNotice({ kind: 'error', text: error instanceof Error ? error.message : String(error) });
    }
  };

  const exportSelected = async () => {
    try {
      await exportAs(exportFormat);
    } catch (error) {
      showNotice({ kind: 'error', text: `Export failed: ${error instanceof Error ? error.message : String(error)}` });
    }
  };

  return (
    <div className="file-bar" data-testid="file-bar">
      <h1 className="document-title" data-testid="document-title">
        <span data-testid="topology-name">{document ? document.name || 'untitled' : 'No topology'}</span>
        {dirty && (
          <span className="dirty-mark" data-testid="dirty-mark" title="Unsaved changes">
            {' '}
            *
          </span>
        )}
      </h1>
      <button type="button" data-testid="file-new" onClick={() => guard('New topology', () => confirmStops('New topology', emptyTopology(), () => void actions.load(emptyTopology())))}>
        New
      </button>
      <button type="button" data-testid="file-open" onClick={() => guard('Open a file', () => openInput.current?.click())}>
        Open…
      </button>
      <input
        ref={openInput}
        type="file"
        accept=".json,.yaml,.yml"
        hidden
        data-testid="file-open-input"
        onChange={(event) => void openFile(event)}
      />
      <button type="button" data-testid="file-import" onClick={() => guard('Import text', () => setPasteOpen(true))}>
        Import…
      </button>
      <select ref={exampleSelect} className="example-select" data-testid="example-select" aria-label="Example">
        {EXAMPLES.map((example, index) => (
          <option key={example.topology.name} value={index}>
            {example.title}
          </option>
        ))}
      </select>
      <button type="button" data-testid="open-example" onClick={openExample}>
        Open example
      </button>
      <button type="button" data-testid="file-save" title="Save as JSON (Ctrl+S)" onClick={() => void save()}>
        Save
      </button>
      <select
        aria-label="Export format"
        data-testid="export-format"
        value={exportFormat}
        onChange={(event) => setExportFormat(event.currentTarget.value as ExportFormat)}
      >
        {Object.entries(EXPORT_FILES).map(([format, file]) => (
          <option key={format} value={format}>
            {file.title}
          </option>
        ))}
      </select>
      <button type="button" data-testid="file-export" onClick={() => void exportSelected()}>
        Export
      </button>
      <span className="separator" />
      <button type="button" data-testid="undo" disabled={!canUndo} title="Undo (Ctrl+Z)" onClick={actions.undo}>
        Undo
      </button>
      <button type="button" data-testid="redo" disabled={!canRedo} title="Redo (Ctrl+Shift+Z)" onClick={actions.redo}>
        Redo
      </button>
      <span className="separator" />
      <button type="button" data-testid="pause-all" title="Pause every running device" onClick={() => void steerAll('device:pause')}>
        Pause all
      </button>
      <button type="button" data-testid="resume-all" title="Resume every paused device" onClick={() => void steerAll('device:resume')}>
        Resume all
      </button>

      {pending && (
        <ConfirmDialog
          title={pending.title}
          message={pending.message}
          confirmLabel={pending.confirmLabel}
          onConfirm={() => {
            const { run } = pending;
            setPending(null);
            run();
          }}
          onCancel={() => setPending(null)}
        />
      )}
      {pasteOpen && (
        <ImportDialog
          errors={importErrors}
          onImport={(text) => importText(text, undefined, 'Import a topology')}
          onCancel={() => {
            setPasteOpen(false);
            setImportErrors(null);
          }}
        />
      )}
      {importErrors && !pasteOpen && <ImportErrors message={importErrors} onDismiss={() => setImportErrors(null)} />}
    </div>
  );
}

function ConfirmDialog(props: {
  title: string;
  message: string;
  confirmLabel: string;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <div className="dialog-backdrop">
      <div className="dialog" role="dialog" aria-modal="true" aria-label={props.title} data-testid="confirm-dialog">
        <h2>{props.title}</h2>
        <p>{props.message}</p>
        <div className="dialog-actions">
          <button type="button" data-testid="confirm-cancel" onClick={props.onCancel} autoFocus>
            Cancel
          </button>
          <button type="button" className="danger" data-testid="confirm-ok" onClick={props.onConfirm}>
            {props.confirmLabel}
          </button>
        </div>
      </div>
    </div>
  );
}

function ImportDialog(props: { errors: string | null; onImport: (text: string) => void; onCancel: () => void }) {
  const [text, setText] = useState('');
  return (
    <div className="dialog-backdrop">
      <div className="dialog wide" role="dialog" aria-modal="true" aria-label="Import a topology" data-testid="import-dialog">
        <h2>Import a topology</h2>
        <p>Paste a topology file in JSON or YAML. A file that cannot be read or does not match the schema is rejected and the open document stays as it was. Other problems are listed in Problems.</p>
        <textarea
          data-testid="import-text"
          rows={14}
          spellCheck={false}
          value={text}
          onChange={(event) => setText(event.currentTarget.value)}
        />
        {props.errors && <ImportErrors message={props.errors} />}
        <div className="dialog-actions">
          <button type="button" data-testid="import-cancel" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="button" data-testid="import-submit" disabled={text.trim() === ''} onClick={() => props.onImport(text)}>
            Import
          </button>
        </div>
      </div>
    </div>
  );
}

/** Shows the engine's import error, which is a summary line followed by one `  <path>: <message>` line per error. */
function ImportErrors(props: { message: string; onDismiss?: () => void }) {
  const [summary, ...details] = props.message.split('\n');
  return (
    <div className={props.onDismiss ? 'import-errors floating' : 'import-errors'} role="alert" data-testid="import-errors">
      <p>{summary}</p>
      {details.length > 0 && (
        <ul>
          {details.map((line, index) => {
            const text = line.trim();
            const colon = text.indexOf(': ');
            const path = text.startsWith('$') && colon > 0 ? text.slice(0, colon) : '';
            return (
              <li key={index} data-testid="import-error">
                {path && <code className="problem-path">{path}</code>} {path ? text.slice(colon + 2) : text}
              </li>
            );
          })}
        </ul>
      )}
      {props.onDismiss && (
        <button type="button" data-testid="import-errors-dismiss" onClick={props.onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
