/**
 * The editor's main window body: palette, graph and inspector side by side,
 * and below them the Monitor, Problems, Devices and Log tabs.
 */
import { useEffect, useState, type ReactNode } from 'react';
import { DeviceList } from '../components/DeviceList.js';
import { Inspector } from '../inspector/Inspector.js';
import { MonitorView } from '../monitor/MonitorView.js';
import { LogView } from '../problems/LogView.js';
import { ProblemsPanel, useProblemCounts } from '../problems/ProblemsPanel.js';
import { useAppStore } from '../store.js';
import { GraphEditor } from './GraphEditor.js';
import { Palette } from './Palette.js';
import { markSaved, showNotice, useEditorStore } from './editor-store.js';

type Tab = 'monitor' | 'problems' | 'devices' | 'log';

export function Workbench() {
  useSavedBaseline();
  return (
    <>
      <EditorNotice />
      <div className="editor-layout">
        <Palette />
        <GraphEditor />
        <Inspector />
      </div>
      <BottomPanel />
    </>
  );
}

/** Takes the first document the engine sends as the saved state, so that opening the app shows no unsaved changes. */
function useSavedBaseline() {
  const document = useAppStore((state) => state.document);
  useEffect(() => {
    if (document && useEditorStore.getState().savedJson === null) markSaved(document);
  }, [document]);
}

function EditorNotice() {
  const notice = useEditorStore((state) => state.notice);
  if (!notice) return null;
  return (
    <div className={`banner banner-${notice.kind === 'error' ? 'error' : 'info'}`} role="status" data-testid="editor-notice" data-kind={notice.kind}>
      <span>{notice.text}</span>
      <button type="button" data-testid="editor-notice-dismiss" onClick={() => showNotice(null)}>
        Dismiss
      </button>
    </div>
  );
}

function BottomPanel() {
  const [tab, setTab] = useState<Tab>('monitor');
  const counts = useProblemCounts();
  const tabs: Array<[Tab, ReactNode]> = [
    ['monitor', 'Monitor'],
    [
      'problems',
      <>
        Problems (<span data-testid="problem-count">{counts.errors + counts.warnings}</span>)
      </>,
    ],
    ['devices', 'Devices'],
    ['log', 'Log'],
  ];
  return (
    <section className="bottom-panel">
      <div className="tabs" role="tablist">
        {tabs.map(([id, label]) => (
          <button
            key={id}
            type="button"
            role="tab"
            aria-selected={tab === id}
            data-testid={`tab-${id}`}
            className={tab === id ? 'active' : undefined}
            onClick={() => setTab(id)}
          >
            {label}
          </button>
        ))}
      </div>
      <div className="tab-body">
        {/* The monitor stays mounted so its scroll position and selection survive a tab switch. */}
        <div hidden={tab !== 'monitor'} className="tab-page">
          <MonitorView />
        </div>
        {tab === 'problems' && <ProblemsPanel />}
        {tab === 'devices' && <DeviceList />}
        {tab === 'log' && <LogView />}
      </div>
    </section>
  );
}
