/**
 * The renderer's state: one zustand store built from typed slices, each with
 * its actions beside its state. Engine events flow in through
 * `connectStoreToEngine`; components read with `useAppStore(selector)`.
 */
import { createContext, useContext } from 'react';
import { createStore, useStore, type StateCreator, type StoreApi } from 'zustand';
import type { DeviceState, LogEntry, Problem } from '../core/contract.js';
import type { Topology } from '../core/topology.js';
import type { DeviceCounters } from '../core/worker-protocol.js';
import type { ConnectionState, EngineClient } from './client.js';

/** Maximum log entries kept in the renderer. The oldest are discarded first. */
export const MAX_LOG_ENTRIES = 500;

export interface ConnectionSlice {
  connection: ConnectionState;
  connectionError: string | null;
  /** Message of the last command that failed, shown until dismissed. */
  commandError: string | null;
  dismissCommandError(): void;
}

export interface DocumentSlice {
  document: Topology | null;
  problems: Problem[];
  replaceDocument(document: Topology): Promise<void>;
}

export interface DevicesSlice {
  states: Record<string, DeviceState>;
  counters: Record<string, DeviceCounters>;
  /** Starts the listed devices, or every device when `ids` is absent. */
  startDevices(ids?: string[]): Promise<void>;
  stopDevices(ids?: string[]): Promise<void>;
}

export interface LogSlice {
  log: LogEntry[];
  clearLog(): void;
}

export type AppState = ConnectionSlice & DocumentSlice & DevicesSlice & LogSlice;

type Slice<T> = (client: EngineClient) => StateCreator<AppState, [], [], T>;

/** Runs a command action and records its error in `commandError` instead of rejecting. */
async function reportFailure(set: StoreApi<AppState>['setState'], action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    set({ commandError: error instanceof Error ? error.message : String(error) });
  }
}

const createConnectionSlice: Slice<ConnectionSlice> = () => (set) => ({
  connection: 'connecting',
  connectionError: null,
  commandError: null,
  dismissCommandError: () => set({ commandError: null }),
});

const createDocumentSlice: Slice<DocumentSlice> = (client) => (set) => ({
  document: null,
  problems: [],
  replaceDocument: (document) =>
    reportFailure(set, async () => {
      const state = await client.request('document:replace', { document });
      // A replace that succeeds supersedes an earlier failed one, so its error goes.
      set({ document: state.document, problems: state.problems, commandError: null });
    }),
});

const createDevicesSlice: Slice<DevicesSlice> = (client) => (set) => ({
  states: {},
  counters: {},
  startDevices: (ids) =>
    reportFailure(set, async () => {
      await client.request('device:start', ids ? { ids } : {});
    }),
  stopDevices: (ids) =>
    reportFailure(set, async () => {
      await client.request('device:stop', ids ? { ids } : {});
    }),
});

const createLogSlice: Slice<LogSlice> = () => (set) => ({
  log: [],
  clearLog: () => set({ log: [] }),
});

export function createAppStore(client: EngineClient): StoreApi<AppState> {
  return createStore<AppState>()((...args) => ({
    ...createConnectionSlice(client)(...args),
    ...createDocumentSlice(client)(...args),
    ...createDevicesSlice(client)(...args),
    ...createLogSlice(client)(...args),
  }));
}

/**
 * Feeds engine events into the store and loads the current document and
 * device states once the connection opens. Returns a function that detaches
 * every listener.
 */
export function connectStoreToEngine(store: StoreApi<AppState>, client: EngineClient): () => void {
  const { setState } = store;
  const detach = [
    client.on('document:changed', ({ document, problems }) => setState({ document, problems })),
    client.on('device:state', ({ device, state }) =>
      setState((current) => ({ states: { ...current.states, [device]: state } })),
    ),
    client.on('device:counters', ({ device, counters }) =>
      setState((current) => ({ counters: { ...current.counters, [device]: counters } })),
    ),
    client.on('log:entry', (entry) =>
      setState((current) => ({ log: [...current.log, entry].slice(-MAX_LOG_ENTRIES) })),
    ),
    client.onConnection((connection, reason) => {
      setState({ connection, connectionError: connection === 'closed' ? (reason ?? null) : null });
      if (connection === 'open') void loadInitialState(store, client);
    }),
  ];
  return () => {
    for (const remove of detach) remove();
  };
}

async function loadInitialState(store: StoreApi<AppState>, client: EngineClient): Promise<void> {
  await reportFailure(store.setState, async () => {
    const [documentState, states] = await Promise.all([
      client.request('document:get', {}),
      client.request('device:states', {}),
    ]);
    store.setState({ document: documentState.document, problems: documentState.problems, states });
  });
}

export const AppStoreContext = createContext<StoreApi<AppState> | null>(null);

export function useAppStore<T>(selector: (state: AppState) => T): T {
  const store = useContext(AppStoreContext);
  if (!store) throw new Error('useAppStore was called outside <AppStoreContext.Provider>. Wrap the app in the provider from main.tsx.');
  return useStore(store, selector);
}

/** Returns a selector for one device's state, which is `stopped` until the engine reports one. */
export function selectDeviceState(id: string): (state: AppState) => DeviceState {
  return (state) => state.states[id] ?? STOPPED;
}

const STOPPED: DeviceState = { state: 'stopped' };
