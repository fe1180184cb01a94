/**
 * The live monitor: taps per device, filters, a virtualized list of messages
 * and the frames of the selected message as text, hex or JSON.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { createContext, useContext, useEffect, useMemo, useRef, useState } from 'react';
import {
  formatBytes,
  formatFrames,
  formatTime,
  rowText,
  toJsonLines,
  type FrameFormat,
  type MonitorRow,
} from '../../core/monitor-buffer.js';
import { downloadText } from '../editor/FileBar.js';
import { useAppStore } from '../store.js';
import type { MonitorController } from './monitor-controller.js';

export const MonitorControllerContext = createContext<MonitorController | null>(null);

function useMonitorController(): MonitorController {
  const controller = useContext(MonitorControllerContext);
  if (!controller) throw new Error('MonitorView needs a <MonitorControllerContext.Provider>. Provide one in main.tsx.');
  return controller;
}

const ROW_HEIGHT = 24;
/** Characters of frame text shown in a list row; the detail pane shows the frame in full. */
const ROW_PREVIEW_CHARS = 200;

export function MonitorView() {
  const controller = useMonitorController();
  const snapshot = controller.useSnapshot();
  const [selectedSeq, setSelectedSeq] = useState<number | null>(null);
  const [format, setFormat] = useState<FrameFormat>('text');
  const selected = useMemo(
    () => (selectedSeq === null ? undefined : snapshot.rows.find((row) => row.seq === selectedSeq)),
    [snapshot.rows, selectedSeq],
  );

  return (
    <div className="monitor" data-testid="monitor">
      <MonitorToolbar controller={controller} />
      {snapshot.filterError && (
        <p className="field-error" role="alert" data-testid="monitor-filter-error">
          {snapshot.filterError}
        </p>
      )}
      {snapshot.tapError && (
        <p className="field-error" role="alert" data-testid="monitor-tap-error">
          {snapshot.tapError}
        </p>
      )}
      <div className="monitor-body">
        <MonitorList rows={snapshot.rows} selectedSeq={selectedSeq} onSelect={setSelectedSeq} tapped={snapshot.tapped.length} />
        <FrameDetail row={selected} format={format} onFormat={setFormat} />
      </div>
    </div>
  );
}

function MonitorToolbar({ controller }: { controller: MonitorController }) {
  const snapshot = controller.useSnapshot();
  const document = useAppStore((state) => state.document);
  const monitored = useMemo(() => (document?.devices ?? []).filter((device) => device.mon), [document]);
  const prefixes = useMemo(() => {
    const values = new Set<string>();
    for (const device of monitored) {
      values.add(device.prefix?.in ?? 'in');
      values.add(device.prefix?.out ?? 'out');
    }
    return [...values];
  }, [monitored]);
  const [pattern, setPattern] = useState(snapshot.filter.pattern ?? '');

  const update = (change: Partial<typeof snapshot.filter>) => controller.setFilter({ ...snapshot.filter, ...change });

  return (
    <div className="monitor-toolbar" data-testid="monitor-toolbar">
      <span className="taps" data-testid="monitor-taps">
        Tap:{' '}
        {monitored.length === 0 && <span className="hint">no device has a monitor socket</span>}
        {monitored.map((device) => {
          const tapped = snapshot.tapped.includes(device.id);
          return (
            <label key={device.id} className="inline">
              <input
                type="checkbox"
                data-testid={`tap-${device.id}`}
                checked={tapped}
                onChange={() => void (tapped ? controller.untap(device.id) : controller.tap(device.id))}
              />
              {device.id}
            </label>
          );
        })}
      </span>
      <select
        aria-label="Filter by device"
        data-testid="monitor-device-filter"
        value={snapshot.filter.device ?? ''}
        onChange={(event) => update({ device: event.currentTarget.value })}
      >
        <option value="">all devices</option>
        {monitored.map((device) => (
          <option key={device.id}>{device.id}</option>
        ))}
      </select>
      <select
        aria-label="Filter by prefix"
        data-testid="monitor-prefix-filter"
        value={snapshot.filter.prefix ?? ''}
        onChange={(event) => update({ prefix: event.currentTarget.value })}
      >
        <option value="">all prefixes</option>
        {prefixes.map((prefix) => (
          <option key={prefix}>{prefix}</option>
        ))}
      </select>
      <input
        type="search"
        aria-label="Filter by regular expression"
        placeholder="regex over frames"
        data-testid="monitor-regex"
        value={pattern}
        onChange={(event) => {
          setPattern(event.currentTarget.value);
          update({ pattern: event.currentTarget.value });
        }}
      />
      <label className="inline">
        <input
          type="checkbox"
          data-testid="monitor-ignore-case"
          checked={snapshot.filter.ignoreCase ?? false}
          onChange={(event) => update({ ignoreCase: event.currentTarget.checked })}
        />
        ignore case
      </label>
      <span className="monitor-stats" data-testid="monitor-stats">
        <span data-testid="monitor-shown">{snapshot.rows.length}</span> shown of{' '}
        <span data-testid="monitor-size">{snapshot.size}</span>,{' '}
        <span data-testid="monitor-dropped">{snapshot.dropped}</span> dropped
      </span>
      <button
        type="button"
        data-testid="monitor-pause"
        aria-pressed={snapshot.paused}
        onClick={() => controller.setPaused(!snapshot.paused)}
      >
        {snapshot.paused ? 'Resume' : 'Pause'}
      </button>
      <button type="button" data-testid="monitor-clear" onClick={() => controller.clear()}>
        Clear
      </button>
      <button
        type="button"
        data-testid="monitor-save"
        disabled={snapshot.rows.length === 0}
        onClick={() => downloadText(`capture-${new Date().toISOString().replace(/[:.]/g, '-')}.jsonl`, toJsonLines(snapshot.rows), 'application/x-ndjson')}
      >
        Save capture
      </button>
    </div>
  );
}

function MonitorList(props: {
  rows: readonly MonitorRow[];
  selectedSeq: number | null;
  onSelect: (seq: number) => void;
  tapped: number;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [follow, setFollow] = useState(true);
  const virtualizer = useVirtualizer({
    count: props.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  });

  // Following the newest row sets scrollTop directly: the virtualizer's scrollToIndex re-measures and
  // retries over several frames, which cost more main-thread time than anything else in a profiled flood.
  useEffect(() => {
    const element = scroller.current;
    if (follow && element) element.scrollTop = element.scrollHeight;
  }, [follow, props.rows]);

  if (props.rows.length === 0) {
    return (
      <div className="monitor-list monitor-empty" data-testid="monitor-empty">
        {props.tapped === 0
          ? 'Tick a device above to tap its monitor socket, then start the device to see its traffic here.'
          : 'No messages yet, or none match the filter.'}
      </div>
    );
  }

  return (
    <div
      className="monitor-list"
      ref={scroller}
      data-testid="monitor-list"
      onScroll={(event) => {
        const element = event.currentTarget;
        setFollow(element.scrollHeight - element.scrollTop - element.clientHeight < ROW_HEIGHT * 2);
      }}
    >
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {virtualizer.getVirtualItems().map((item) => {
          const row = props.rows[item.index]!;
          const preview = rowText(row);
          return (
            <div
              key={row.seq}
              className={`monitor-row${row.seq === props.selectedSeq ? ' selected' : ''}`}
              data-testid="monitor-row"
              data-prefix={row.prefix}
              data-device={row.device}
              style={{ height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
              onClick={() => props.onSelect(row.seq)}
            >
              <span className="cell-time">{formatTime(row.at)}</span>
              <span className="cell-device">{row.device}</span>
              <span className="cell-prefix" data-testid="row-prefix">
                {row.prefix}
              </span>
              <span className="cell-frames">{row.frames.length} frames</span>
              <span className="cell-bytes">{formatBytes(row.bytes)}</span>
              <span className="cell-text" data-testid="row-text">
                {preview.length > ROW_PREVIEW_CHARS ? `${preview.slice(0, ROW_PREVIEW_CHARS)}…` : preview}
              </span>
            </div>
          );
        })}
      </div>
    </div>
  );
}

function FrameDetail(props: { row: MonitorRow | undefined; format: FrameFormat; onFormat: (format: FrameFormat) => void }) {
  if (!props.row) {
    return (
      <div className="frame-detail hint" data-testid="frame-detail-empty">
        Select a message to see its frames.
      </div>
    );
  }
  const frames = formatFrames(props.row, props.format);
  return (
    <div className="frame-detail" data-testid="frame-detail">
      <div className="frame-formats" role="group" aria-label="Frame format">
        {(['text', 'hex', 'json'] as const).map((format) => (
          <button
            key={format}
            type="button"
            data-testid={`format-${format}`}
            aria-pressed={props.format === format}
            onClick={() => props.onFormat(format)}
          >
            {format}
          </button>
        ))}
      </div>
      <p className="hint">
        {props.row.device} · {props.row.prefix} · {formatTime(props.row.at)} · {formatBytes(props.row.bytes)}
      </p>
      <ol className="frames" start={1}>
        {frames.map((frame, index) => (
          <li key={index}>
            <pre data-testid="frame">{frame}</pre>
          </li>
        ))}
      </ol>
    </div>
  );
}
