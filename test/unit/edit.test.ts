import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  applyEdit,
  canRedo,
  canUndo,
  createHistory,
  editHistory,
  emptyTopology,
  freeLoopbackPort,
  freshDeviceId,
  incompatibilityReason,
  MAX_UNDO_STEPS,
  parseTcp,
  redo,
  undo,
  usedPorts,
  type Edit,
} from '../../app/core/edit.js';
import { topologySchema, type Topology } from '../../app/core/topology.js';

/** Applies edits in order and fails the test on the first rejected one. */
function build(...edits: Edit[]): Topology {
  let document = emptyTopology('test');
  for (const edit of edits) {
    const result = applyEdit(document, edit);
    if (!result.ok) assert.fail(`${edit.type} was rejected: ${result.message}`);
    document = result.document;
  }
  return document;
}

function rejection(document: Topology, edit: Edit): string {
  const result = applyEdit(document, edit);
  assert.equal(result.ok, false, `${edit.type} should have been rejected`);
  return result.ok ? '' : result.message;
}

function device(document: Topology, id: string) {
  const found = document.devices.find((candidate) => candidate.id === id);
  assert.ok(found, `device ${id} missing`);
  return found;
}

describe('device:add', () => {
  test('uses kind defaults', () => {
    const document = build({ type: 'device:add', kind: 'monitored-queue' });
    const broker = device(document, 'broker1');
    assert.equal(broker.in.type, 'ROUTER');
    assert.equal(broker.out.type, 'DEALER');
    assert.equal(broker.mon?.type, 'PUB');
    assert.deepEqual(broker.in.bind, ['tcp://127.0.0.1:5555']);
    assert.deepEqual(broker.out.bind, ['tcp://127.0.0.1:5556']);
    assert.deepEqual(broker.mon?.bind, ['tcp://127.0.0.1:5557']);
    assert.ok(document.layout?.broker1);
    assert.ok(topologySchema.safeParse(document).success);
  });

  test('gives fresh ids and ports', () => {
    const document = build({ type: 'device:add', kind: 'streamer' }, { type: 'device:add', kind: 'streamer' });
    assert.deepEqual(
      document.devices.map((d) => d.id),
      ['streamer1', 'streamer2'],
    );
    assert.deepEqual(device(document, 'streamer2').in.bind, ['tcp://127.0.0.1:5557']);
    assert.equal(device(document, 'streamer1').in.type, 'PULL');
    assert.equal(device(document, 'streamer1').mon, undefined);
  });

  test('rejects a taken id', () => {
    const document = build({ type: 'device:add', kind: 'queue', id: 'q' });
    assert.match(rejection(document, { type: 'device:add', kind: 'queue', id: 'q' }), /already exists/);
  });

  test('rejects an invalid id', () => {
    assert.match(rejection(emptyTopology(), { type: 'device:add', kind: 'queue', id: '1bad' }), /Invalid device id "1bad"/);
  });

  test('leaves the input untouched', () => {
    const document = emptyTopology();
    applyEdit(document, { type: 'device:add', kind: 'queue' });
    assert.equal(document.devices.length, 0);
  });
});

describe('device edits', () => {
  test('delete removes device and layout', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'a' },
      { type: 'device:add', kind: 'queue', id: 'b' },
      { type: 'device:delete', ids: ['a'] },
    );
    assert.deepEqual(
      document.devices.map((d) => d.id),
      ['b'],
    );
    assert.equal(document.layout?.a, undefined);
  });

  test('delete of unknown id fails', () => {
    assert.match(rejection(emptyTopology(), { type: 'device:delete', ids: ['ghost'] }), /Device "ghost" not found/);
  });

  test('duplicate rebinds ports', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q', position: { x: 100, y: 100 } },
      { type: 'device:duplicate', id: 'q' },
    );
    const copy = device(document, 'q1');
    assert.equal(copy.kind, 'queue');
    assert.deepEqual(copy.in.bind, ['tcp://127.0.0.1:5557']);
    assert.deepEqual(copy.out.bind, ['tcp://127.0.0.1:5558']);
    assert.deepEqual(document.layout?.q1, { x: 140, y: 140 });
  });

  test('rename moves layout', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q', position: { x: 10, y: 20 } },
      { type: 'device:rename', id: 'q', newId: 'broker' },
    );
    assert.deepEqual(document.layout, { broker: { x: 10, y: 20 } });
    assert.equal(document.devices[0]!.id, 'broker');
  });

  test('rename rejects duplicates', () => {
    const document = build({ type: 'device:add', kind: 'queue', id: 'a' }, { type: 'device:add', kind: 'queue', id: 'b' });
    assert.match(rejection(document, { type: 'device:rename', id: 'a', newId: 'b' }), /"b" already exists/);
  });

  test('monitored kind adds mon', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'device:set-kind', id: 'q', kind: 'monitored-queue' },
    );
    assert.equal(device(document, 'q').mon?.type, 'PUB');
  });

  test('prefix falls back to defaults', () => {
    let document = build(
      { type: 'device:add', kind: 'monitored-queue', id: 'm' },
      { type: 'device:set-prefix', id: 'm', prefix: { in: 'req' } },
    );
    assert.deepEqual(device(document, 'm').prefix, { in: 'req' });
    const result = applyEdit(document, { type: 'device:set-prefix', id: 'm', prefix: { in: '' } });
    assert.ok(result.ok);
    document = result.document;
    assert.equal(device(document, 'm').prefix, undefined);
  });

  test('restart policy is set', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'device:set-restart', id: 'q', restart: 'on-failure' },
    );
    assert.equal(device(document, 'q').restart, 'on-failure');
  });

  test('move rounds positions', () => {
    const document = build({ type: 'layout:move', positions: { q: { x: 1.6, y: 2.2 }, 'peer:x': { x: 5, y: 6 } } });
    assert.deepEqual(document.layout, { q: { x: 2, y: 2 }, 'peer:x': { x: 5, y: 6 } });
  });

  test('mon of monitored queue stays', () => {
    const document = build({ type: 'device:add', kind: 'monitored-queue', id: 'm' });
    assert.match(rejection(document, { type: 'socket:remove', device: 'm', role: 'mon' }), /needs its mon socket/);
  });

  test('ctrl socket is added and removed', () => {
    let document = build({ type: 'device:add', kind: 'queue', id: 'q' }, { type: 'socket:add', device: 'q', role: 'ctrl' });
    assert.equal(device(document, 'q').ctrl?.type, 'PAIR');
    document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'socket:add', device: 'q', role: 'ctrl', socketType: 'REP' },
      { type: 'socket:remove', device: 'q', role: 'ctrl' },
    );
    assert.equal(device(document, 'q').ctrl, undefined);
  });
});

describe('socket edits', () => {
  test('endpoints are trimmed', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      {
        type: 'socket:set-endpoints',
        socket: { device: 'q', role: 'in' },
        list: 'connect',
        endpoints: [' tcp://127.0.0.1:46001 ', ''],
      },
    );
    assert.deepEqual(device(document, 'q').in.connect, ['tcp://127.0.0.1:46001']);
  });

  test('empty list removes the key', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'socket:set-endpoints', socket: { device: 'q', role: 'in' }, list: 'bind', endpoints: [] },
    );
    assert.equal('bind' in device(document, 'q').in, false);
  });

  test('option aliases become canonical', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'socket:set-option', socket: { device: 'q', role: 'out' }, name: 'ZMQ_SNDHWM', value: 1000 },
      { type: 'socket:set-option', socket: { device: 'q', role: 'out' }, name: 'identity', value: 'w1' },
    );
    assert.deepEqual(device(document, 'q').out.options, { sndhwm: 1000, routing_id: 'w1' });
  });

  test('option value undefined removes it', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'socket:set-option', socket: { device: 'q', role: 'out' }, name: 'sndhwm', value: 1000 },
      { type: 'socket:set-option', socket: { device: 'q', role: 'out' }, name: 'sndhwm', value: undefined },
    );
    assert.equal(device(document, 'q').out.options, undefined);
  });

  test('secret from env is kept', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      {
        type: 'socket:set-option',
        socket: { device: 'q', role: 'in' },
        name: 'curve_secretkey',
        value: { env: 'BROKER_SECRET' },
      },
    );
    assert.deepEqual(device(document, 'q').in.options, { curve_secretkey: { env: 'BROKER_SECRET' } });
  });

  test('unknown option fails', () => {
    const document = build({ type: 'device:add', kind: 'queue', id: 'q' });
    const message = rejection(document, {
      type: 'socket:set-option',
      socket: { device: 'q', role: 'in' },
      name: 'sndhvm',
      value: 1,
    });
    assert.match(message, /Unknown socket option "sndhvm" for q\.in/);
  });

  test('missing socket fails', () => {
    const document = build({ type: 'device:add', kind: 'queue', id: 'q' });
    const message = rejection(document, { type: 'socket:set-type', socket: { device: 'q', role: 'mon' }, socketType: 'PUB' });
    assert.match(message, /has no mon socket/);
  });
});

describe('wire:connect', () => {
  function twoStreamers(): Topology {
    return build({ type: 'device:add', kind: 'streamer', id: 'a' }, { type: 'device:add', kind: 'streamer', id: 'b' });
  }

  test('connects to the target bind', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    assert.deepEqual(device(document, 'a').out.connect, device(document, 'b').in.bind);
  });

  test('binds a free port when neither binds', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'socket:set-endpoints', socket: { device: 'a', role: 'out' }, list: 'bind', endpoints: [] },
      { type: 'socket:set-endpoints', socket: { device: 'b', role: 'in' }, list: 'bind', endpoints: [] },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    const bind = device(document, 'b').in.bind;
    // 5556 was a.out's bind, so it is free again.
    assert.deepEqual(bind, ['tcp://127.0.0.1:5556']);
    assert.deepEqual(device(document, 'a').out.connect, bind);
  });

  test('uses the source bind', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'socket:set-endpoints', socket: { device: 'b', role: 'in' }, list: 'bind', endpoints: [] },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    assert.deepEqual(device(document, 'b').in.connect, ['tcp://127.0.0.1:5556']);
  });

  test('wildcard bind becomes loopback', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'socket:set-endpoints', socket: { device: 'b', role: 'in' }, list: 'bind', endpoints: ['tcp://*:6000'] },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    assert.deepEqual(device(document, 'a').out.connect, ['tcp://127.0.0.1:6000']);
  });

  test('skips wildcard ports', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'socket:set-endpoints', socket: { device: 'b', role: 'in' }, list: 'bind', endpoints: ['tcp://127.0.0.1:*'] },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    assert.deepEqual(device(document, 'b').in.connect, ['tcp://127.0.0.1:5556']);
  });

  test('rejects incompatible types', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'device:add', kind: 'forwarder', id: 'f' },
    );
    const message = rejection(document, {
      type: 'wire:connect',
      from: { device: 'q', role: 'out' },
      to: { device: 'f', role: 'out' },
    });
    assert.match(message, /Cannot wire q\.out \(DEALER\) to f\.out \(XPUB\)/);
    assert.match(message, /DEALER pairs with REP, DEALER, ROUTER/);
  });

  test('rejects a second wire', () => {
    const document = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    const message = rejection(document, {
      type: 'wire:connect',
      from: { device: 'b', role: 'in' },
      to: { device: 'a', role: 'out' },
    });
    assert.match(message, /already wired/);
  });

  test('rejects a self wire', () => {
    const message = rejection(twoStreamers(), {
      type: 'wire:connect',
      from: { device: 'a', role: 'in' },
      to: { device: 'a', role: 'in' },
    });
    assert.match(message, /to itself/);
  });

  test('disconnect removes the connect', () => {
    const wired = build(
      { type: 'device:add', kind: 'streamer', id: 'a' },
      { type: 'device:add', kind: 'streamer', id: 'b' },
      { type: 'wire:connect', from: { device: 'a', role: 'out' }, to: { device: 'b', role: 'in' } },
    );
    const result = applyEdit(wired, {
      type: 'wire:disconnect',
      socket: { device: 'a', role: 'out' },
      endpoint: 'tcp://127.0.0.1:5557',
    });
    assert.ok(result.ok);
    assert.equal(device(result.document, 'a').out.connect, undefined);
  });

  test('peer gets a fresh port', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'peer:add', socket: { device: 'q', role: 'in' } },
      { type: 'peer:add', socket: { device: 'q', role: 'out' }, endpoint: 'ipc:///tmp/x.sock' },
    );
    assert.deepEqual(device(document, 'q').in.connect, ['tcp://127.0.0.1:5557']);
    assert.deepEqual(device(document, 'q').out.connect, ['ipc:///tmp/x.sock']);
  });
});

describe('incompatibilityReason', () => {
  const pairs: Array<[Parameters<typeof incompatibilityReason>[0], Parameters<typeof incompatibilityReason>[1], boolean]> = [
    ['ROUTER', 'DEALER', true],
    ['DEALER', 'DEALER', true],
    ['REQ', 'ROUTER', true],
    ['PUB', 'SUB', true],
    ['XPUB', 'XSUB', true],
    ['PUSH', 'PULL', true],
    ['PAIR', 'PAIR', true],
    ['DEALER', 'PUB', false],
    ['PUSH', 'PUSH', false],
    ['REQ', 'REQ', false],
    ['SUB', 'SUB', false],
    ['STREAM', 'STREAM', true],
    ['STREAM', 'DEALER', false],
  ];
  for (const [a, b, compatible] of pairs) {
    test(`${a} with ${b}`, () => {
      assert.equal(incompatibilityReason(a, b) === undefined, compatible);
      assert.equal(incompatibilityReason(b, a) === undefined, compatible);
    });
  }
});

describe('ports', () => {
  test('parseTcp reads ports', () => {
    assert.deepEqual(parseTcp('tcp://127.0.0.1:5555'), { host: '127.0.0.1', port: 5555 });
    assert.deepEqual(parseTcp('tcp://[::1]:80'), { host: '[::1]', port: 80 });
    assert.deepEqual(parseTcp('tcp://*:*'), { host: '*', port: undefined });
    assert.deepEqual(parseTcp('tcp://127.0.0.1:0'), { host: '127.0.0.1', port: undefined });
    assert.equal(parseTcp('ipc:///tmp/a'), undefined);
  });

  test('usedPorts covers binds and connects', () => {
    const document = build(
      { type: 'device:add', kind: 'queue', id: 'q' },
      { type: 'peer:add', socket: { device: 'q', role: 'in' }, endpoint: 'tcp://10.0.0.1:7000' },
    );
    assert.deepEqual([...usedPorts(document)].sort(), [5555, 5556, 7000]);
  });

  test('freeLoopbackPort skips used', () => {
    assert.equal(freeLoopbackPort(new Set([5555, 5556, 5558])), 5557);
    assert.equal(freeLoopbackPort(new Set(), 46000), 46000);
  });

  test('freshDeviceId counts up', () => {
    const document = build({ type: 'device:add', kind: 'queue', id: 'queue1' });
    assert.equal(freshDeviceId(document, 'queue'), 'queue2');
    assert.equal(freshDeviceId(document, 'queue1'), 'queue2');
  });
});

describe('history', () => {
  test('undo and redo', () => {
    let history = createHistory(emptyTopology());
    assert.equal(canUndo(history), false);
    const step = editHistory(history, { type: 'device:add', kind: 'queue' });
    assert.ok(step.ok);
    history = step.history;
    assert.equal(step.selected, 'queue1');
    assert.equal(history.present.devices.length, 1);

    history = undo(history);
    assert.equal(history.present.devices.length, 0);
    assert.equal(canRedo(history), true);

    history = redo(history);
    assert.equal(history.present.devices.length, 1);
    assert.equal(canRedo(history), false);
  });

  test('new edit clears redo', () => {
    let history = createHistory(emptyTopology());
    for (const kind of ['queue', 'streamer'] as const) {
      const step = editHistory(history, { type: 'device:add', kind });
      assert.ok(step.ok);
      history = step.history;
    }
    history = undo(history);
    const step = editHistory(history, { type: 'device:add', kind: 'forwarder' });
    assert.ok(step.ok);
    assert.equal(canRedo(step.history), false);
    assert.deepEqual(
      step.history.present.devices.map((d) => d.kind),
      ['queue', 'forwarder'],
    );
  });

  test('rejected edit keeps history', () => {
    const history = createHistory(emptyTopology());
    const step = editHistory(history, { type: 'device:delete', ids: ['ghost'] });
    assert.equal(step.ok, false);
  });

  test('undo steps are capped', () => {
    let history = createHistory(emptyTopology());
    for (let i = 0; i < MAX_UNDO_STEPS + 10; i++) {
      const step = editHistory(history, { type: 'topology:rename', name: `n${i}` });
      assert.ok(step.ok);
      history = step.history;
    }
    assert.equal(history.past.length, MAX_UNDO_STEPS);
  });

  test('undo on empty history is a no-op', () => {
    const history = createHistory(emptyTopology());
    assert.equal(undo(history), history);
    assert.equal(redo(history), history);
  });
});
