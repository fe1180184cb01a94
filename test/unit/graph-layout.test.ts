import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Topology } from '../../app/core/topology.js';
import { deriveWiring } from '../../app/core/wiring.js';
import { DEVICE_HEIGHT, DEVICE_WIDTH, PEER_HEIGHT, layoutGraph, nextDevicePosition, peerLabel } from '../../app/renderer/editor/layout.js';

describe('peerLabel', () => {
  const cases: Array<[Parameters<typeof peerLabel>, string]> = [
    [['ROUTER', 'in', 'client'], 'clients (REQ/DEALER)'],
    [['DEALER', 'out', 'client'], 'workers (REP/DEALER)'],
    [['ROUTER', 'out', 'client'], 'workers (REQ/DEALER)'],
    [['XPUB', 'out', 'client'], 'subscribers (SUB)'],
    [['XSUB', 'in', 'client'], 'publishers (PUB)'],
    [['SUB', 'in', 'server'], 'publisher (PUB)'],
    [['PULL', 'in', 'client'], 'producers (PUSH)'],
    [['PUSH', 'out', 'client'], 'consumers (PULL)'],
    [['PUB', 'mon', 'client'], 'monitor subscribers (SUB)'],
    [['REP', 'ctrl', 'client'], 'steering clients (REQ/DEALER)'],
  ];
  for (const [args, expected] of cases) {
    test(`${args[0]} ${args[1]} ${args[2]}`, () => {
      assert.equal(peerLabel(...args), expected);
    });
  }
});

function boxes(document: Topology) {
  const peers = deriveWiring(document).externalPeers;
  const layout = layoutGraph(document, peers);
  const all = [
    ...Object.entries(layout.devices).map(([id, p]) => ({ id, ...p, width: DEVICE_WIDTH, height: DEVICE_HEIGHT })),
    ...Object.entries(layout.peers).map(([id, p]) => ({ id, ...p.position, width: p.width, height: PEER_HEIGHT })),
  ];
  return { layout, all };
}

const chain: Topology = {
  version: 1,
  name: 'chain',
  devices: [
    {
      id: 'relay',
      kind: 'forwarder',
      in: { type: 'SUB', connect: ['tcp://127.0.0.1:6001'], options: { subscribe: [''] } },
      out: { type: 'PUB', bind: ['tcp://127.0.0.1:6002'] },
    },
    {
      id: 'feed',
      kind: 'forwarder',
      in: { type: 'XSUB', bind: ['tcp://127.0.0.1:6000'] },
      out: { type: 'XPUB', bind: ['tcp://127.0.0.1:6001'] },
      mon: { type: 'PUB', bind: ['tcp://127.0.0.1:6003'] },
    },
    {
      id: 'steer',
      kind: 'queue',
      in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:6010', 'tcp://127.0.0.1:6011'] },
      out: { type: 'DEALER', bind: ['tcp://127.0.0.1:6012'] },
      ctrl: { type: 'REP', bind: ['tcp://127.0.0.1:6013'] },
    },
  ],
};

describe('layoutGraph', () => {
  test('no nodes overlap', () => {
    const { all } = boxes(chain);
    assert.equal(all.length, 3 + 7);
    for (const a of all) {
      for (const b of all) {
        if (a === b) continue;
        const apart = a.x + a.width <= b.x || b.x + b.width <= a.x || a.y + a.height <= b.y || b.y + b.height <= a.y;
        assert.ok(apart, `${a.id} overlaps ${b.id}`);
      }
    }
  });

  test('sender left of receiver', () => {
    const { layout } = boxes(chain);
    assert.ok(layout.devices.feed!.x + DEVICE_WIDTH < layout.devices.relay!.x);
  });

  test('peers beside their sockets', () => {
    const { layout } = boxes(chain);
    const feed = layout.devices.feed!;
    const inPeer = layout.peers['external:tcp://127.0.0.1:6000']!;
    const monPeer = layout.peers['external:tcp://127.0.0.1:6003']!;
    const ctrlPeer = layout.peers['external:tcp://127.0.0.1:6013']!;
    assert.ok(inPeer.position.x + inPeer.width < feed.x);
    assert.equal(inPeer.side, 'right');
    assert.ok(monPeer.position.y > feed.y + DEVICE_HEIGHT);
    assert.equal(monPeer.side, 'top');
    assert.ok(ctrlPeer.position.y + PEER_HEIGHT < layout.devices.steer!.y);
    assert.equal(ctrlPeer.side, 'bottom');
  });

  test('saved positions are kept', () => {
    const document: Topology = { ...chain, layout: { relay: { x: 5, y: 7 } } };
    const { layout } = boxes(document);
    assert.deepEqual(layout.devices.relay, { x: 5, y: 7 });
    assert.ok(layout.devices.feed!.y > 7 + DEVICE_HEIGHT);
  });
});

describe('nextDevicePosition', () => {
  test('right of every node', () => {
    const { layout, all } = boxes(chain);
    const next = nextDevicePosition(layout);
    for (const box of all) assert.ok(next.x > box.x + box.width, `${box.id} reaches past ${next.x}`);
  });

  test('empty graph', () => {
    assert.deepEqual(nextDevicePosition({ devices: {}, peers: {} }), { x: 80, y: 80 });
  });
});
