import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Problem } from '../../app/core/contract.js';
import { canPair, PEER_TYPES } from '../../app/core/peers.js';
import { SOCKET_TYPES, type Topology } from '../../app/core/topology.js';
import { validateTopology } from '../../app/core/validate.js';

/** Returns a valid topology: a queue whose out socket connects to a monitored queue, all on loopback. */
function base(): Topology {
  return {
    version: 1,
    name: 'base',
    devices: [
      {
        id: 'broker',
        kind: 'monitored-queue',
        in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41100'] },
        out: { type: 'DEALER', bind: ['tcp://127.0.0.1:41101'], options: { sndhwm: 1000 } },
        mon: { type: 'PUB', bind: ['tcp://127.0.0.1:41102'] },
      },
      {
        id: 'client',
        kind: 'queue',
        in: { type: 'ROUTER', bind: ['ipc:///tmp/switchyard-validate-test.sock'] },
        out: { type: 'DEALER', connect: ['tcp://127.0.0.1:41100'] },
      },
    ],
  };
}

type Case = [name: string, mutate: (doc: Topology) => unknown, severity: Problem['severity'], path: string, message: RegExp];

const cases: Case[] = [
  ['malformed endpoint', (doc) => { doc.devices[0]!.in.bind = ['127.0.0.1:41100']; }, 'error', '$.devices[0].in.bind[0]', /expected "transport:\/\/address"/],
  ['port out of range', (doc) => { doc.devices[0]!.out.bind = ['tcp://127.0.0.1:70000']; }, 'error', '$.devices[0].out.bind[0]', /70000, which is out of range/],
  ['connect to port 0', (doc) => { doc.devices[1]!.out.connect = ['tcp://127.0.0.1:0']; }, 'error', '$.devices[1].out.connect[0]', /only a bind accepts/],
  [
    'inproc between devices',
    (doc) => {
      doc.devices[0]!.in.bind = ['inproc://front'];
      doc.devices[1]!.out.connect = ['inproc://front'];
    },
    'error',
    '$.devices[1].out.connect[0]',
    /each device runs in its own process/,
  ],
  ['inproc inside one device', (doc) => { doc.devices[1]!.in.bind = ['inproc://local']; }, 'warning', '$.devices[1].in.bind[0]', /reachable only from inside device "client"/],
  ['transport the build lacks', (doc) => { doc.devices[0]!.mon!.bind = ['pgm://eth0;239.192.1.1:5555']; }, 'error', '$.devices[0].mon.bind[0]', /built without/],
  ['two binds of one endpoint', (doc) => { doc.devices[1]!.in.bind = ['tcp://127.0.0.1:41101']; }, 'error', '$.devices[1].in.bind[0]', /already bound by device "broker" \(out\)/],
  ['wildcard bind overlaps', (doc) => { doc.devices[1]!.in.bind = ['tcp://*:41102']; }, 'error', '$.devices[1].in.bind[0]', /already bound by device "broker" \(mon\) as "tcp:\/\/127.0.0.1:41102"/],
  ['two binds in one socket', (doc) => { doc.devices[0]!.in.bind = ['tcp://127.0.0.1:41100', 'tcp://127.0.0.1:41100']; }, 'error', '$.devices[0].in.bind[1]', /already bound/],
  ['unknown option', (doc) => { doc.devices[0]!.in.options = { sndhmw: 5 }; }, 'error', '$.devices[0].in.options.sndhmw', /Unknown option "sndhmw". Did you mean "sndhwm"\?/],
  ['pyzmq hwm option', (doc) => { doc.devices[0]!.in.options = { hwm: 5 }; }, 'error', '$.devices[0].in.options.hwm', /write "sndhwm" and "rcvhwm"/],
  ['int option given a string', (doc) => { doc.devices[0]!.out.options = { sndhwm: '1000' }; }, 'error', '$.devices[0].out.options.sndhwm', /takes an integer \(messages\), but the value is a string \("1000"\)/],
  ['int option given a word', (doc) => { doc.devices[0]!.out.options = { sndhwm: 'lots' }; }, 'error', '$.devices[0].out.options.sndhwm', /but the value is a string \("lots"\)\. Write a whole number from 0 to \d+ without quotes\.$/],
  ['int option quoted', (doc) => { doc.devices[0]!.out.options = { sndhwm: '1000' }; }, 'error', '$.devices[0].out.options.sndhwm', /Write 1000 without quotes\.$/],
  ['int option fraction', (doc) => { doc.devices[0]!.out.options = { linger: 1.5 }; }, 'error', '$.devices[0].out.options.linger', /takes an integer/],
  ['int option out of range', (doc) => { doc.devices[0]!.out.options = { sndhwm: -1 }; }, 'error', '$.devices[0].out.options.sndhwm', /outside its range 0 to/],
  ['bool option given a number', (doc) => { doc.devices[0]!.in.options = { router_mandatory: 1 }; }, 'error', '$.devices[0].in.options.router_mandatory', /takes true or false, but the value is a number \(1\)\. Write true or false without quotes\.$/],
  ['string option given a number', (doc) => { doc.devices[0]!.out.options = { routing_id: 7 }; }, 'error', '$.devices[0].out.options.routing_id', /takes a string/],
  ['routing id empty', (doc) => { doc.devices[0]!.out.options = { routing_id: '' }; }, 'error', '$.devices[0].out.options.routing_id', /1 to 255 bytes/],
  ['option wrong socket type', (doc) => { doc.devices[0]!.out.options = { router_mandatory: true }; }, 'error', '$.devices[0].out.options.router_mandatory', /no effect on a DEALER socket; it applies to ROUTER/],
  ['alias and canonical both set', (doc) => { doc.devices[0]!.out.options = { routing_id: 'a', identity: 'b' }; }, 'error', '$.devices[0].out.options.identity', /"routing_id" already sets/],
  [
    'incompatible peer types',
    (doc) => { doc.devices[0]!.mon!.bind = ['tcp://127.0.0.1:41103']; doc.devices[1]!.out.connect = ['tcp://127.0.0.1:41103']; },
    'error',
    '$.devices[1].out.connect[0]',
    /ZeroMQ does not pair DEALER with PUB/,
  ],
  ['monitored queue without mon', (doc) => { delete doc.devices[0]!.mon; }, 'error', '$.devices[0]', /monitored queue without a "mon" socket/],
  ['duplicate device ids', (doc) => { doc.devices[1]!.id = 'broker'; }, 'error', '$.devices[1].id', /already used by \$.devices\[0\]/],
  ['in socket cannot receive', (doc) => { doc.devices[1]!.in.type = 'PUSH'; }, 'error', '$.devices[1].in.type', /PUSH in socket, which cannot receive/],
  ['out socket cannot send', (doc) => { doc.devices[1]!.out.type = 'PULL'; }, 'error', '$.devices[1].out.type', /PULL out socket, which cannot send/],
  ['monitor socket cannot send', (doc) => { doc.devices[0]!.mon!.type = 'SUB'; }, 'error', '$.devices[0].mon.type', /SUB monitor socket/],
  ['control socket type', (doc) => { doc.devices[0]!.ctrl = { type: 'DEALER', bind: ['tcp://127.0.0.1:41104'] }; }, 'error', '$.devices[0].ctrl.type', /PAIR or REP/],
  ['ipv6 without option', (doc) => { doc.devices[0]!.in.bind = ['tcp://[::1]:41100']; }, 'error', '$.devices[0].in.bind[0]', /Add "ipv6": true/],
  ['sub without subscription', (doc) => { doc.devices.push({ id: 'fan', kind: 'forwarder', in: { type: 'SUB', connect: ['tcp://127.0.0.1:41105'] }, out: { type: 'PUB', bind: ['tcp://127.0.0.1:41106'] } }); }, 'warning', '$.devices[2].in.type', /SUB socket without "subscribe"/],
  ['req inside a device', (doc) => { doc.devices[1]!.out.type = 'REQ'; }, 'warning', '$.devices[1].out.type', /REQ enforces a strict send\/receive order/],
  ['rep inside a device', (doc) => { doc.devices[1]!.in.type = 'REP'; }, 'warning', '$.devices[1].in.type', /Use ROUTER instead/],
  ['bind on all interfaces', (doc) => { doc.devices[0]!.in.bind = ['tcp://*:41100']; }, 'warning', '$.devices[0].in.bind[0]', /binds on all network interfaces/],
  ['connect nobody binds', (doc) => { doc.devices[1]!.out.connect = ['tcp://127.0.0.1:41199']; }, 'warning', '$.devices[1].out.connect[0]', /No device in this topology binds "tcp:\/\/127.0.0.1:41199"/],
  ['kind that does not fit', (doc) => { doc.devices[1]!.kind = 'forwarder'; }, 'warning', '$.devices[1].in.type', /forwarder with a ROUTER in socket/],
  ['secret written in file', (doc) => { doc.devices[0]!.in.options = { curve_server: true, curve_secretkey: 'x'.repeat(40) }; }, 'warning', '$.devices[0].in.options.curve_secretkey', /secret written into the file/],
  ['socket without endpoints', (doc) => { doc.devices[1]!.in.bind = []; }, 'warning', '$.devices[1].in', /neither binds nor connects/],
  ['curve server without secret', (doc) => { doc.devices[0]!.in.options = { curve_server: true }; }, 'error', '$.devices[0].in.options.curve_server', /CURVE server without "curve_secretkey"/],
  ['curve client missing keys', (doc) => { doc.devices[1]!.out.options = { curve_serverkey: 'k'.repeat(40), curve_publickey: 'p'.repeat(40) }; }, 'error', '$.devices[1].out.options.curve_serverkey', /CURVE client without "curve_secretkey"/],
  ['prefix without mon', (doc) => { doc.devices[1]!.prefix = { in: 'a' }; }, 'warning', '$.devices[1].prefix', /sets "prefix" but has no "mon" socket/],
  ['repeated connect', (doc) => { doc.devices[1]!.out.connect = ['tcp://127.0.0.1:41100', 'tcp://127.0.0.1:41100']; }, 'warning', '$.devices[1].out.connect[1]', /already connected at out.connect\[0\]/],
  ['schema: wrong type', (doc) => { (doc as { name: unknown }).name = 5; }, 'error', '$.name', /Expected a string, but the value is a number \(5\)/],
  ['schema: unknown field', (doc) => { (doc.devices[0] as Record<string, unknown>).hwm = 5; }, 'error', '$.devices[0].hwm', /Unknown field "hwm".*Allowed fields here: id, kind/],
  ['schema: unknown kind', (doc) => { (doc.devices[0] as { kind: string }).kind = 'quue'; }, 'error', '$.devices[0].kind', /^A string \("quue"\) is not allowed here\. Did you mean "queue"\? Use one of "queue", "forwarder", "streamer", "monitored-queue"\.$/],
  ['schema: kind typo', (doc) => { (doc.devices[1] as { kind: string }).kind = 'queu'; }, 'error', '$.devices[1].kind', /Did you mean "queue"\?/],
  ['schema: socket type typo', (doc) => { (doc.devices[0]!.in as { type: string }).type = 'ROUTR'; }, 'error', '$.devices[0].in.type', /^A string \("ROUTR"\) is not allowed here\. Did you mean "ROUTER"\? Use one of "PAIR", "PUB", /],
  ['schema: socket type lower case', (doc) => { (doc.devices[0]!.out as { type: string }).type = 'dealer'; }, 'error', '$.devices[0].out.type', /Did you mean "DEALER"\?/],
  ['schema: restart typo', (doc) => { (doc.devices[0] as { restart: string }).restart = 'onfailure'; }, 'error', '$.devices[0].restart', /^A string \("onfailure"\) is not allowed here\. Did you mean "on-failure"\? Use one of "never", "on-failure"\.$/],
  ['schema: far value lists choices', (doc) => { (doc.devices[0] as { restart: string }).restart = 'sometimes'; }, 'error', '$.devices[0].restart', /^A string \("sometimes"\) is not allowed here\. Use one of "never", "on-failure"\.$/],
  ['schema: missing field', (doc) => { delete (doc as Partial<Topology>).name; }, 'error', '$.name', /^Required field "name" is missing\. Add "name": "my-topology"\.$/],
  ['schema: missing socket', (doc) => { delete (doc.devices[1] as Partial<Topology['devices'][number]>).out; }, 'error', '$.devices[1].out', /^Required field "out" is missing\. Add "out": \{ "type": "DEALER", "bind": \["tcp:\/\/127\.0\.0\.1:5560"\] \}\.$/],
  ['schema: missing socket type', (doc) => { delete (doc.devices[1]!.in as Partial<Topology['devices'][number]['in']>).type; }, 'error', '$.devices[1].in.type', /^Required field "type" is missing\. Add "type" with one of "PAIR", /],
  ['schema: endpoint not in a list', (doc) => { (doc.devices[0]!.in as { bind: unknown }).bind = 'tcp://127.0.0.1:41100'; }, 'error', '$.devices[0].in.bind', /^Expected a list, but the value is a string \("tcp:\/\/127\.0\.0\.1:41100"\)\. Write a list such as \["tcp:\/\/127\.0\.0\.1:41100"\]\.$/],
  ['schema: number for a name', (doc) => { (doc as { name: unknown }).name = 7; }, 'error', '$.name', /Put it in double quotes: "7"\.$/],
  ['schema: quoted layout number', (doc) => { (doc as { layout: unknown }).layout = { broker: { x: '120', y: 0 } }; }, 'error', '$.layout.broker.x', /Write it without quotes: 120\.$/],
  ['schema: socket not an object', (doc) => { (doc.devices[0] as { mon: unknown }).mon = 'PUB'; }, 'error', '$.devices[0].mon', /Write an object such as \{ "type": "PUB", "bind": \["tcp:\/\/127\.0\.0\.1:5561"\] \}\.$/],
  ['schema: bad option value', (doc) => { (doc.devices[0]!.in as { options: unknown }).options = { sndhwm: null }; }, 'error', '$.devices[0].in.options.sndhwm', /Option value is null/],
  ['schema: bad device id', (doc) => { doc.devices[0]!.id = '1broker'; }, 'error', '$.devices[0].id', /is invalid\. Write a letter followed by up to 63 letters/],
  ['schema: bad env name', (doc) => { doc.devices[0]!.in.options = { curve_secretkey: { env: 'NOT-A-NAME' } }; }, 'error', '$.devices[0].in.options.curve_secretkey.env', /environment variable name/],
  ['schema: newer version', (doc) => { (doc as { version: number }).version = 2; }, 'error', '$.version', /reads topology files up to version 1. Upgrade Switchyard/],
  ['schema: version zero', (doc) => { (doc as { version: number }).version = 0; }, 'error', '$.version', /must be 1/],
];

test('validateTopology: base is clean', () => {
  assert.deepEqual(validateTopology(base()), []);
});

for (const [name, mutate, severity, path, message] of cases) {
  test(`validateTopology: ${name}`, () => {
    const doc = base();
    mutate(doc);
    const problems = validateTopology(doc);
    const match = problems.find((problem) => problem.path === path && message.test(problem.message));
    assert.ok(match, `no problem at ${path} matching ${message}; got ${JSON.stringify(problems, null, 2)}`);
    assert.equal(match.severity, severity);
  });
}

test('validateTopology: rules run beside schema errors', () => {
  const doc = base() as unknown as { name: unknown; devices: Topology['devices'] };
  doc.name = 5;
  doc.devices[1]!.in.bind = ['tcp://127.0.0.1:41101'];
  const paths = validateTopology(doc).map((problem) => problem.path);
  assert.ok(paths.includes('$.name'));
  assert.ok(paths.includes('$.devices[1].in.bind[0]'));
});

test('validateTopology: sockets of broken device checked', () => {
  const doc = base() as unknown as { devices: Array<Record<string, unknown>> };
  doc.devices[1]!.kind = 'queu';
  doc.devices[1]!.in = { type: 'ROUTER' };
  doc.devices[1]!.out = { type: 'DEALER', connect: ['tcp://127.0.0.1:41100'], options: { sndhwm: 'lots' } };
  doc.devices[1]!.mon = 'PUB';
  const problems = validateTopology(doc);

  const at = (path: string) => problems.filter((problem) => problem.path === path);
  assert.equal(at('$.devices[1].kind')[0]?.severity, 'error');
  assert.equal(at('$.devices[1].mon')[0]?.severity, 'error');
  assert.match(at('$.devices[1].out.options.sndhwm')[0]?.message ?? '', /takes an integer/);
  assert.match(at('$.devices[1].in')[0]?.message ?? '', /socket of device "client" neither binds nor connects/);
  assert.equal(at('$.devices[1].out.connect[0]').length, 0, 'the connect reaches broker.in, so it has no problem');
});

test('validateTopology: newer version is the only problem', () => {
  const problems = validateTopology({ version: 9, name: 'future', devices: [], wires: [] });
  assert.equal(problems.length, 1);
  assert.equal(problems[0]?.path, '$.version');
});

test('validateTopology: non-object inputs', () => {
  for (const input of [null, 42, 'text', [], undefined]) {
    const problems = validateTopology(input);
    assert.ok(problems.length > 0, JSON.stringify(input));
    assert.ok(problems.every((problem) => problem.severity === 'error'), JSON.stringify(input));
  }
});

test('validateTopology: layout key without device', () => {
  const doc = { ...base(), layout: { nobody: { x: 1, y: 2 }, 'external:tcp://127.0.0.1:41100': { x: 0, y: 0 } } };
  assert.deepEqual(validateTopology(doc), []);
});

test('validateTopology: env reference accepted', () => {
  const doc = base();
  doc.devices[0]!.in.options = { curve_server: true, curve_secretkey: { env: 'CURVE_SECRET' } };
  assert.deepEqual(validateTopology(doc), []);
});

test('peers: table is symmetric', () => {
  for (const a of SOCKET_TYPES) {
    for (const b of PEER_TYPES[a]) assert.ok(canPair(b, a), `${a}-${b} but not ${b}-${a}`);
  }
});

test('peers: known pairs', () => {
  const cases: Array<[(typeof SOCKET_TYPES)[number], (typeof SOCKET_TYPES)[number], boolean]> = [
    ['PAIR', 'PAIR', true],
    ['PUB', 'SUB', true],
    ['PUB', 'XSUB', true],
    ['XPUB', 'SUB', true],
    ['REQ', 'ROUTER', true],
    ['DEALER', 'DEALER', true],
    ['ROUTER', 'ROUTER', true],
    ['PULL', 'PUSH', true],
    ['DEALER', 'PUB', false],
    ['PUSH', 'PUSH', false],
    ['REQ', 'REQ', false],
    ['STREAM', 'DEALER', false],
    ['PAIR', 'DEALER', false],
  ];
  for (const [a, b, expected] of cases) assert.equal(canPair(a, b), expected, `${a}-${b}`);
});
