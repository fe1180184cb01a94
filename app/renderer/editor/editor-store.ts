/**
 * Editor state that the engine does not keep: undo and redo steps, the
 * selection, the last rejected edit, and the saved copy that decides whether
 * the document has unsaved changes. The engine's open document in the app
 * store is always the present. Each edit is applied locally with
 * `app/core/edit.ts`, shown at once, and sent with `document:replace`.
 */
import { useContext } from 'react';
import { create } from 'zustand';
import type { StoreApi } from 'zustand';
import { applyEdit, emptyTopology, MAX_UNDO_STEPS, type Edit } from '../../core/edit.js';
import type { Topology } from '../../core/topology.js';
import { deriveWiring } from '../../core/wiring.js';
import { AppStoreContext, type AppState } from '../store.js';
import { layoutGraph, nextDevicePosition } from './layout.js';

export interface Selection {
  /** Device id, or an external peer node id (`external:<endpoint>`). */
  node: string;
  /** JSON path of the inspector field to focus, such as `$.devices[0].in.bind[1]`. */
  path?: string;
}

export interface EditorNotice {
  kind: 'error' | 'info';
  text: string;
}

export interface EditorState {
  past: Topology[];
  future: Topology[];
  selection: Selection | null;
  notice: EditorNotice | null;
  /** JSON of the document as last opened, created or saved; null before the first document arrives. */
  savedJson: string | null;
  /** Count of documents opened or created, which the graph uses to fit a new document into view. */
  opened: number;
}

export const useEditorStore = create<EditorState>()(() => ({
  past: [],
  future: [],
  selection: null,
  notice: null,
  savedJson: null,
  opened: 0,
}));

export function select(selection: Selection | null): void {
  useEditorStore.setState({ selection });
}

export function showNotice(notice: EditorNotice | null): void {
  useEditorStore.setState({ notice });
}

/** Returns whether the open document differs from the one last opened, created or saved. */
export function isDirty(document: Topology | null, savedJson: string | null): boolean {
  if (!document || savedJson === null) return false;
  return JSON.stringify(document) !== savedJson;
}

/** Records `document` as saved, so that it no longer counts as unsaved changes. */
export function markSaved(document: Topology | null): void {
  useEditorStore.setState({ savedJson: document ? JSON.stringify(document) : null });
}

/** Editor actions bound to one app store. */
export interface EditorActions {
  /** Applies an edit, records an undo step and sends the document. Returns false and shows why when rejected. */
  edit(edit: Edit): boolean;
  undo(): void;
  redo(): void;
  /** Replaces the document without an undo step, as New and Open do, and marks it saved. */
  load(document: Topology): Promise<void>;
  /** Forgets undo steps, the selection and local edits still in flight, after another document was opened. */
  reset(): void;
}

export function createEditorActions(appStore: StoreApi<AppState>): EditorActions {
  // While replace requests are in flight, the engine's replies and document:changed events carry older
  // documents than the newest local edit. The newest local edit stays the present until every request
  // has completed, so that a quick second edit is not applied to a stale document and lost.
  let inFlight = 0;
  let newestLocal: Topology | null = null;

  appStore.subscribe((state) => {
    if (inFlight > 0 && newestLocal && state.document !== newestLocal) appStore.setState({ document: newestLocal });
  });

  const current = () => newestLocal ?? appStore.getState().document ?? emptyTopology();

  const send = (document: Topology) => {
    // Show the edit at once. The engine replies with the same document and its problems.
    newestLocal = document;
    inFlight++;
    appStore.setState({ document });
    void appStore
      .getState()
      .replaceDocument(document)
      .finally(() => {
        inFlight--;
        if (inFlight === 0) newestLocal = null;
      });
  };

  return {
    edit(edit) {
      const before = current();
      const prepared = withShownPositions(before, edit);
      const result = applyEdit(prepared.document, prepared.edit);
      if (!result.ok) {
        showNotice({ kind: 'error', text: result.message });
        return false;
      }
      useEditorStore.setState((state) => ({
        past: [...state.past, before].slice(-MAX_UNDO_STEPS),
        future: [],
        notice: null,
        selection: result.selected !== undefined ? { node: result.selected } : state.selection,
      }));
      send(result.document);
      return true;
    },
    undo() {
      const { past, future } = useEditorStore.getState();
      const previous = past.at(-1);
      if (!previous) return;
      useEditorStore.setState({ past: past.slice(0, -1), future: [current(), ...future], notice: null });
      send(previous);
    },
    redo() {
      const { past, future } = useEditorStore.getState();
      const next = future[0];
      if (!next) return;
      useEditorStore.setState({ past: [...past, current()], future: future.slice(1), notice: null });
      send(next);
    },
    async load(document) {
      newestLocal = null;
      useEditorStore.setState({ selection: null, notice: null, past: [], future: [] });
      await appStore.getState().replaceDocument(document);
      markSaved(appStore.getState().document);
      // Counted once the new document is in the store, so that the new view fits it and not the old one.
      useEditorStore.setState((state) => ({ opened: state.opened + 1 }));
    },
    reset() {
      newestLocal = null;
      useEditorStore.setState((state) => ({ selection: null, past: [], future: [], opened: state.opened + 1 }));
    },
  };
}

/**
 * Prepares a document for an edit that adds or duplicates a device. Devices that
 * the automatic layout placed get their shown positions saved, so that they
 * stay where they are, and a new device without a position goes right of
 * everything shown.
 */
function withShownPositions(document: Topology, edit: Edit): { document: Topology; edit: Edit } {
  if (edit.type !== 'device:add' && edit.type !== 'device:duplicate') return { document, edit };
  const layout = layoutGraph(document, deriveWiring(document).externalPeers);
  const unsaved = Object.entries(layout.devices).filter(([id]) => !document.layout?.[id]);
  const prepared: Topology = unsaved.length > 0 ? { ...document, layout: { ...Object.fromEntries(unsaved), ...document.layout } } : document;
  if (edit.type === 'device:add' && !edit.position) return { document: prepared, edit: { ...edit, position: nextDevicePosition(layout) } };
  return { document: prepared, edit };
}

const actionsByStore = new WeakMap<StoreApi<AppState>, EditorActions>();

/** Returns the editor actions of the app store in context. */
export function useEditorActions(): EditorActions {
  const appStore = useContext(AppStoreContext);
  if (!appStore) throw new Error('useEditorActions was called outside <AppStoreContext.Provider>.');
  let actions = actionsByStore.get(appStore);
  if (!actions) {
    actions = createEditorActions(appStore);
    actionsByStore.set(appStore, actions);
  }
  return actions;
}
