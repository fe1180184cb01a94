import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { applyEdit, emptyTopology, type Edit } from '../../app/core/edit.js';
import type { Topology } from '../../app/core/topology.js';
import { deriveGraph, isPeerNode } from '../../app/renderer/editor/graph.js';

function build(...edits: Edit[]): Topology {
  let document = emptyTopology('graph');
  for (const edit of edits) {
    const result = applyEdit(document, edit);
    if (!result.ok) assert.fail(`${edit.type} was rejected: ${result.message}`);
    document = result.document;
  }
  return document;
}

describe('deriveGraph', () => {
  test('wire between two devices', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    const wires = deriveGraph(document).edges.filter((edge) => edge.id.startsWith('wire:'));
    assert.equal(wires.length, 1);
    const wire = wires[0]!;
    assert.equal(wire.source, 'a');
    assert.equal(wire.sourceRole, 'out');
    assert.equal(wire.target, 'b');
    assert.equal(wire.targetRole, 'in');
    assert.equal(wire.compatible, true);
    assert.deepEqual(wire.removal, {
      type: 'wire:disconnect',
      socket: { device: 'a', role: 'out' },
      endpoint: 'tcp://127.0.0.1:5557',
    });
  });

  test('removal edit deletes the wire', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    const wire = deriveGraph(document).edges.find((edge) => edge.id.startsWith('wire:'))!;
    const result = applyEdit(document, wire.removal);
    assert.ok(result.ok);
    assert.equal(
      deriveGraph(result.document).edges.filter((edge) => edge.id.startsWith('wire:')).length,
      0,
    );
  });

  test('unconnected bind is a client peer', () => {
    const document = build({ type: 'device:add', kind: 'queue', id: 'q' });
    const { peers, edges } = deriveGraph(document);
    assert.deepEqual(
      peers.map((peer) => [peer.kind, peer.endpoint]),
      [
        ['client', 'tcp://127.0.0.1:5555'],
        ['client', 'tcp://127.0.0.1:5556'],
      ],
    );
    const inEdge = edges.find((edge) => edge.targetRole === 'in')!;
    assert.ok(isPeerNode(inEdge.source));
    assert.deepEqual(inEdge.removal, {
      type: 'socket:set-endpoints',
      socket: { device: 'q', role: 'in' },
      list: 'bind',
      endpoints: [],
    });
  });

  test('connect to nobody is a server peer', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'peer:add', socket: { device: 'q', role: 'out' }, endpoint: 'tcp://127.0.0.1:46900' },
    );
    const peer = deriveGraph(document).peers.find((candidate) => candidate.kind === 'server');
    assert.ok(peer);
    assert.equal(peer.endpoint, 'tcp://127.0.0.1:46900');
    const edge = deriveGraph(document).edges.find((candidate) => candidate.target === peer.id)!;
    assert.equal(edge.source, 'q');
    assert.equal(edge.sourceRole, 'out');
  });

  test('incompatible wire is marked', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'device:add', kind: 'forwarder', id: 'f' },
      {
        type: 'socket:set-endpoints',
        socket: { device: 'q', role: 'out' },
        list: 'connect',
        endpoints: ['tcp://127.0.0.1:5558'],
      },
    );
    const wire = deriveGraph(document).edges.find((edge) => edge.id.startsWith('wire:'));
    assert.ok(wire);
    assert.equal(wire.target, 'f');
    assert.equal(wire.compatible, false);
  });
});
