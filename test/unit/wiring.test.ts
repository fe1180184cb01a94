import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Topology } from '../../app/core/topology.js';
import { deriveWiring } from '../../app/core/wiring.js';

/**
 *   clients --> [front: ROUTER|DEALER] --> [broker: ROUTER|DEALER] --> workers
 *                                            mon PUB (no device connects)
 *   outside publisher (binds 41304) --> [fan: SUB|PUB] --> broker.out (incompatible: PUB to DEALER)
 */
const doc: Topology = {
  version: 1,
  name: 'wiring',
  devices: [
    {
      id: 'front',
      kind: 'queue',
      in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41300'] },
      out: { type: 'DEALER', connect: ['tcp://localhost:41301'] },
    },
    {
      id: 'broker',
      kind: 'monitored-queue',
      in: { type: 'ROUTER', bind: ['tcp://*:41301'] },
      out: { type: 'DEALER', bind: ['tcp://127.0.0.1:41302', 'tcp://127.0.0.1:*'] },
      mon: { type: 'PUB', bind: ['tcp://127.0.0.1:41303'] },
    },
    {
      id: 'fan',
      kind: 'forwarder',
      in: { type: 'SUB', connect: ['tcp://127.0.0.1:41304', 'bad endpoint'], options: { subscribe: '' } },
      out: { type: 'PUB', bind: ['tcp://127.0.0.1:41305'], connect: ['tcp://127.0.0.1:41302'] },
    },
  ],
};

test('deriveWiring: wires', () => {
  const { wires } = deriveWiring(doc);
  assert.deepEqual(wires, [
    {
      id: 'front.out->broker.in@tcp://localhost:41301',
      from: { device: 'front', role: 'out', endpoint: 'tcp://localhost:41301' },
      to: { device: 'broker', role: 'in', endpoint: 'tcp://*:41301' },
      compatible: true,
    },
    {
      id: 'fan.out->broker.out@tcp://127.0.0.1:41302',
      from: { device: 'fan', role: 'out', endpoint: 'tcp://127.0.0.1:41302' },
      to: { device: 'broker', role: 'out', endpoint: 'tcp://127.0.0.1:41302' },
      compatible: false,
    },
  ]);
});

test('deriveWiring: external peers', () => {
  const { externalPeers } = deriveWiring(doc);
  const summary = externalPeers.map((peer) => [peer.kind, peer.endpoint, peer.sockets.map((socket) => `${socket.device}.${socket.role}`)]);
  assert.deepEqual(summary, [
    ['server', 'tcp://127.0.0.1:41304', ['fan.in']],
    ['client', 'tcp://127.0.0.1:41300', ['front.in']],
    ['client', 'tcp://127.0.0.1:*', ['broker.out']],
    ['client', 'tcp://127.0.0.1:41303', ['broker.mon']],
    ['client', 'tcp://127.0.0.1:41305', ['fan.out']],
  ]);
  assert.equal(externalPeers[0]?.id, 'external:tcp://127.0.0.1:41304');
});

test('deriveWiring: shared external endpoint', () => {
  const shared: Topology = {
    version: 1,
    name: 'shared',
    devices: ['a', 'b'].map((id) => ({
      id,
      kind: 'streamer' as const,
      in: { type: 'PULL' as const, connect: ['ipc:///tmp/switchyard-wiring-test.sock'] },
      out: { type: 'PUSH' as const, connect: [`tcp://127.0.0.1:4131${id === 'a' ? 0 : 1}`] },
    })),
  };
  const servers = deriveWiring(shared).externalPeers.filter((peer) => peer.endpoint.startsWith('ipc://'));
  assert.equal(servers.length, 1);
  assert.deepEqual(servers[0]?.sockets.map((socket) => socket.device), ['a', 'b']);
});

test('deriveWiring: empty topology', () => {
  assert.deepEqual(deriveWiring({ version: 1, name: 'empty', devices: [] }), { wires: [], externalPeers: [] });
});
