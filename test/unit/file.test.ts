import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readTopology, writeTopology, type TopologyFormat } from '../../app/core/file.js';
import type { Topology } from '../../app/core/topology.js';

/** A topology that uses every field, with strings YAML could misread. */
const full: Topology = {
  $schema: '../schema/topology.schema.json',
  version: 1,
  name: 'round "trip" ü: yes',
  devices: [
    {
      id: 'broker',
      kind: 'monitored-queue',
      in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41200'], options: { router_mandatory: true, linger: 0 } },
      out: { type: 'DEALER', bind: ['tcp://127.0.0.1:41201'], connect: [], options: { sndhwm: 10000, routing_id: 'no' } },
      mon: { type: 'PUB', bind: ['tcp://127.0.0.1:41202'] },
      ctrl: { type: 'PAIR', bind: ['ipc:///tmp/switchyard-file-test.sock'] },
      prefix: { in: '0x10', out: 'null' },
      restart: 'on-failure',
    },
    {
      id: 'fan',
      kind: 'forwarder',
      in: { type: 'SUB', connect: ['tcp://127.0.0.1:41203'], options: { subscribe: ['', 'on', '1e3', '#not a comment'] } },
      out: { type: 'PUB', bind: ['tcp://127.0.0.1:41204'], options: { curve_server: true, curve_secretkey: { env: 'CURVE_SECRET' } } },
    },
  ],
  layout: { broker: { x: 120.5, y: -80 }, 'external:tcp://127.0.0.1:41203': { x: 0, y: 0 } },
};

for (const format of ['json', 'yaml'] as const satisfies readonly TopologyFormat[]) {
  test(`writeTopology: ${format} round trip`, () => {
    const text = writeTopology(full, format);
    const result = readTopology(text, format);
    assert.ok(result.ok, JSON.stringify(result.problems));
    assert.deepEqual(result.document, full);
  });

  test(`writeTopology: ${format} output is stable`, () => {
    const once = writeTopology(full, format);
    const result = readTopology(once, format);
    assert.ok(result.ok);
    assert.equal(writeTopology(result.document, format), once);
  });

  test(`readTopology: ${format} detected without format`, () => {
    const result = readTopology(writeTopology(full, format));
    assert.ok(result.ok, JSON.stringify(result.problems));
    assert.deepEqual(result.document, full);
  });
}

test('writeTopology: json key order', () => {
  const shuffled = JSON.parse(JSON.stringify({ devices: full.devices, name: full.name, version: 1 })) as Topology;
  const text = writeTopology(shuffled, 'json');
  assert.ok(text.indexOf('"version"') < text.indexOf('"name"'));
  assert.ok(text.indexOf('"name"') < text.indexOf('"devices"'));
  assert.ok(text.endsWith('}\n'));
});

type BadCase = [name: string, text: string, path: string, message: RegExp];

const badCases: BadCase[] = [
  ['truncated json', '{\n  "version": 1,\n  "name": "x",\n  "devices": [\n', '$', /line 5, column 1: .*truncated/],
  ['truncated string', '{"version": 1, "name": "abc', '$', /line 1, column 24: the file ends inside a string/],
  ['trailing comma', '{"version": 1,\n "name": "x",\n}', '$', /line 3, column 1: expected a double-quoted property name/],
  ['missing colon', '{"version" 1}', '$', /line 1, column 12: expected ":"/],
  ['bare word', '{"version": one}', '$', /line 1, column 13: expected a value/],
  ['text after value', '{"version": 1, "name": "x", "devices": []} extra', '$', /unexpected text after the end/],
  ['duplicate key', '{"version": 1, "name": "a", "name": "b", "devices": []}', '$', /line 1, column 29: the property "name" appears twice/],
  ['empty file', '', '$', /must contain an object/],
  ['deeply nested json', `{"version": ${'['.repeat(50_000)}`, '$', /nested too deeply/],
  ['yaml alias bomb', `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`, '$', /^Invalid YAML: .*\. Use fewer aliases \(\*name\), or write the values out\.$/],
  ['yaml unresolved alias', 'version: 1\nname: *missing\ndevices: []\n', '$', /^Invalid YAML: .*\. Define each anchor \(&name\) before its aliases \(\*name\)\.$/],
  ['yaml tab indentation', 'version: 1\nname: x\ndevices:\n  - id: a\n\tkind: queue\n', '$', /^Invalid YAML at line 5, column 1: Tabs are not allowed as indentation\. Indent with spaces\.$/],
  ['yaml two documents', 'version: 1\nname: x\ndevices: []\n---\nversion: 1\n', '$', /^Invalid YAML at line 4, column 1: The file contains more than one YAML document\. Keep one topology per file/],
  ['yaml bad escape', 'version: 1\nname: "a\\qb"\ndevices: []\n', '$', /Invalid escape sequence \\q\. Write a backslash as \\\\ inside double quotes, or use single quotes\.$/],
  ['json bad escape', '{"version": 1, "name": "a\\qb", "devices": []}', '$', /invalid escape sequence or control character\. Write a backslash as \\\\ and a line break as \\n\.$/],
  ['json missing comma', '{"version": 1 "name": "x"}', '$', /after the value of "version" but found """. Add a comma between properties, or close the object with "}"\.$/],
  ['json array', '[1, 2]', '$', /must contain an object .* but it contains a list\. Start from \{ "version": 1, "name": "my-topology", "devices": \[\] \}\.$/],
  ['yaml syntax error', 'version: 1\nname: x\ndevices: [\n', '$', /Invalid YAML at line 4, column 1/],
  ['yaml duplicate key', 'version: 1\nname: a\nname: b\ndevices: []\n', '$', /Invalid YAML at line 3.*unique\. Keep only one of the repeated keys\.$/i],
  ['newer version', '{"version": 2, "name": "x", "devices": [], "future": true}', '$.version', /version 2, but this build of Switchyard reads topology files up to version 1. Upgrade Switchyard/],
  ['missing version', '{"name": "x", "devices": []}', '$.version', /no "version"/],
  ['wrong type', '{"version": 1, "name": "x", "devices": {}}', '$.devices', /^Expected a list, but the value is an object\. Write a list of device objects, or \[\] for none\.$/],
  ['unknown field', '{"version": 1, "name": "x", "devices": [], "wires": []}', '$.wires', /Unknown field "wires"/],
  ['bad socket type', 'version: 1\nname: x\ndevices:\n  - id: a\n    kind: queue\n    in: { type: ROUTR }\n    out: { type: DEALER }\n', '$.devices[0].in.type', /"ROUTR"\) is not allowed here/],
];

for (const [name, text, path, message] of badCases) {
  test(`readTopology: ${name}`, () => {
    const result = readTopology(text);
    assert.equal(result.ok, false);
    const match = result.problems.find((problem) => problem.path === path && message.test(problem.message));
    assert.ok(match, `no problem at ${path} matching ${message}; got ${JSON.stringify(result.problems, null, 2)}`);
    assert.equal(match.severity, 'error');
    assert.doesNotMatch(match.message, /\n\s+at /, 'message contains a stack trace');
  });
}

test('readTopology: aliases become canonical', () => {
  const text = JSON.stringify({
    version: 1,
    name: 'aliases',
    devices: [
      {
        id: 'q',
        kind: 'queue',
        in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41205'], options: { ZMQ_SNDHWM: 5, ZMQ_LINGER: 0 } },
        out: { type: 'DEALER', bind: ['tcp://127.0.0.1:41206'], options: { identity: 'worker' } },
      },
    ],
  });
  const result = readTopology(text, 'json');
  assert.ok(result.ok, JSON.stringify(result.problems));
  assert.deepEqual(result.document.devices[0]?.in.options, { sndhwm: 5, linger: 0 });
  assert.deepEqual(result.document.devices[0]?.out.options, { routing_id: 'worker' });
  assert.deepEqual(result.problems, []);
});

test('readTopology: alias beside canonical kept', () => {
  const text = 'version: 1\nname: x\ndevices:\n  - id: q\n    kind: queue\n    in: { type: ROUTER, bind: ["tcp://127.0.0.1:41207"] }\n    out: { type: DEALER, bind: ["tcp://127.0.0.1:41208"], options: { routing_id: a, identity: b } }\n';
  const result = readTopology(text, 'yaml');
  assert.ok(result.ok, JSON.stringify(result.problems));
  assert.deepEqual(result.document.devices[0]?.out.options, { routing_id: 'a', identity: 'b' });
  assert.ok(result.problems.some((problem) => problem.path === '$.devices[0].out.options.identity' && problem.severity === 'error'));
});

test('readTopology: validation problems returned', () => {
  const text = JSON.stringify({
    version: 1,
    name: 'dup',
    devices: [
      { id: 'a', kind: 'streamer', in: { type: 'PULL', bind: ['tcp://127.0.0.1:41209'] }, out: { type: 'PUSH', bind: ['tcp://127.0.0.1:41209'] } },
    ],
  });
  const result = readTopology(text);
  assert.ok(result.ok);
  assert.ok(result.problems.some((problem) => problem.path === '$.devices[0].out.bind[0]' && /already bound/.test(problem.message)));
});

test('readTopology: rule problems beside schema errors', () => {
  const text = JSON.stringify({
    version: 1,
    name: 5,
    devices: [
      { id: 'q', kind: 'queue', in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41210'] }, out: { type: 'DEALER', options: { sndhwm: 'lots' } } },
    ],
  });
  const result = readTopology(text, 'json');
  assert.equal(result.ok, false);
  const paths = result.problems.map((problem) => `${problem.severity} ${problem.path}`);
  assert.ok(paths.includes('error $.name'), paths.join('\n'));
  assert.ok(paths.includes('error $.devices[0].out.options.sndhwm'), paths.join('\n'));
  assert.ok(paths.includes('warning $.devices[0].out'), paths.join('\n'));
});

test('readTopology: __proto__ key is data', () => {
  const text = '{"version": 1, "name": "x", "devices": [], "__proto__": {"polluted": true}}';
  const result = readTopology(text, 'json');
  assert.equal(result.ok, false);
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
  assert.ok(result.problems.some((problem) => problem.path === '$.__proto__'), JSON.stringify(result.problems));
});
