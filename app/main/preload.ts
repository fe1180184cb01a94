/**
 * The preload of the Switchyard window. It exposes the engine contract as
 * `window.switchyard` and nothing else: no ipcRenderer, no Node. esbuild
 * bundles it to CommonJS because a sandboxed preload cannot be an ES module.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { CommandName, EngineBridge, EventEnvelope, ResponseEnvelope } from '../core/contract.js';
import { COMMAND_CHANNEL, EVENT_CHANNEL } from './channels.js';

let nextRequestId = 1;

const bridge: EngineBridge = {
  request(command: CommandName, payload: unknown): Promise<ResponseEnvelope> {
    const envelope = { type: 'request', id: nextRequestId++, command, payload };
    return ipcRenderer.invoke(COMMAND_CHANNEL, envelope) as Promise<ResponseEnvelope>;
  },
  subscribe(listener: (event: EventEnvelope) => void): () => void {
    const forward = (_event: IpcRendererEvent, envelope: EventEnvelope): void => listener(envelope);
    ipcRenderer.on(EVENT_CHANNEL, forward);
    return () => {
      ipcRenderer.off(EVENT_CHANNEL, forward);
    };
  },
};

contextBridge.exposeInMainWorld('switchyard', bridge);
