/**
 * Applies `document:patch` changes to the open topology. The whole list
 * applies or none of it: the first change that does not fit throws and the
 * caller keeps the document it had.
 */
import type { DocumentChange } from '../core/contract.js';
import { TOPOLOGY_VERSION, type Topology } from '../core/topology.js';

/** Returns an empty document, the engine's state before anything is loaded. */
export function emptyTopology(): Topology {
  return { version: TOPOLOGY_VERSION, name: 'untitled', devices: [], layout: {} };
}

/** Returns a new topology with `changes` applied in order; `document` is not modified. */
export function applyChanges(document: Topology, changes: readonly DocumentChange[]): Topology {
  const next: Topology = structuredClone(document);
  changes.forEach((change, index) => applyChange(next, change, index));
  return next;
}

function applyChange(document: Topology, change: DocumentChange, index: number): void {
  const at = `Change ${index} (${change.type})`;
  switch (change.type) {
    case 'device:add': {
      if (findIndex(document, change.device.id) >= 0) {
        throw new Error(`${at}: a device named "${change.device.id}" already exists. Choose another id.`);
      }
      document.devices.push(structuredClone(change.device));
      if (change.position) setLayout(document, change.device.id, change.position);
      return;
    }
    case 'device:update': {
      const position = requireDevice(document, change.id, at);
      const renamed = change.device.id !== change.id;
      if (renamed && findIndex(document, change.device.id) >= 0) {
        throw new Error(`${at}: cannot rename "${change.id}" to "${change.device.id}" because that id is taken. Choose another id.`);
      }
      document.devices[position] = structuredClone(change.device);
      if (renamed && document.layout && change.id in document.layout) {
        document.layout[change.device.id] = document.layout[change.id]!;
        delete document.layout[change.id];
      }
      return;
    }
    case 'device:remove': {
      const position = requireDevice(document, change.id, at);
      document.devices.splice(position, 1);
      if (document.layout) delete document.layout[change.id];
      return;
    }
    case 'layout:move':
      setLayout(document, change.id, { x: change.x, y: change.y });
      return;
    case 'topology:rename':
      document.name = change.name;
      return;
  }
}

function findIndex(document: Topology, id: string): number {
  return document.devices.findIndex((device) => device.id === id);
}

function requireDevice(document: Topology, id: string, at: string): number {
  const position = findIndex(document, id);
  if (position < 0) {
    throw new Error(`${at}: no device named "${id}" in the document. Check the id or reload the document.`);
  }
  return position;
}

function setLayout(document: Topology, id: string, position: { x: number; y: number }): void {
  document.layout ??= {};
  document.layout[id] = { x: position.x, y: position.y };
}
