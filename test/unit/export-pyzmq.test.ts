import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { exportPyzmq, pythonBytes, pythonString } from '../../app/core/export-pyzmq.js';
import type { Topology } from '../../app/core/topology.js';

const PYTHON = '/usr/bin/python3';
const SAMPLES = ['', 'plain', "it's", 'say "hi"', 'back\\slash', 'new\nline\r\t', '\0nul', 'ü € 𝄞', "'''", '"""', '\x7f\x1b'];

/** Runs Python code and returns its standard output. */
function runPython(code: string): string {
  const result = spawnSync(PYTHON, ['-c', code], { encoding: 'utf8', timeout: 20_000 });
  assert.equal(result.status, 0, result.stderr);
  return result.stdout;
}

test('pythonString: literals evaluate to the text', { skip: !existsSync(PYTHON) && `${PYTHON} is missing` }, () => {
  const code = `import json\nprint(json.dumps([${SAMPLES.map(pythonString).join(', ')}]))`;
  assert.deepEqual(JSON.parse(runPython(code)), SAMPLES);
});

test('pythonBytes: literals evaluate to UTF-8', { skip: !existsSync(PYTHON) && `${PYTHON} is missing` }, () => {
  const code = `print(','.join(v.hex() for v in [${SAMPLES.map(pythonBytes).join(', ')}]))`;
  const expected = SAMPLES.map((sample) => Buffer.from(sample, 'utf8').toString('hex')).join(',');
  assert.equal(runPython(code).trim(), expected);
});

test('pythonBytes: only printable ASCII unescaped', () => {
  for (const sample of SAMPLES) assert.match(pythonBytes(sample), /^b'[\x20-\x7e]*'$/);
});

const doc: Topology = {
  version: 1,
  name: "odd 'name'\n\"\"\"",
  devices: [
    {
      id: 'fan',
      kind: 'forwarder',
      in: { type: 'XSUB', connect: ['tcp://127.0.0.1:41500'], options: { subscribe: ['a', "b'"] } },
      out: { type: 'XPUB', bind: ['tcp://127.0.0.1:41501'], options: { xpub_verbose: true, curve_server: true, curve_secretkey: { env: 'FAN_SECRET' } } },
    },
    {
      id: 'rr',
      kind: 'queue',
      in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41502'] },
      out: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41503'] },
    },
    {
      id: 'steered',
      kind: 'streamer',
      in: { type: 'PULL', bind: ['tcp://127.0.0.1:41504'] },
      out: { type: 'PUSH', bind: ['tcp://127.0.0.1:41505'] },
      ctrl: { type: 'PAIR', bind: ['tcp://127.0.0.1:41506'] },
    },
    {
      id: 'subs',
      kind: 'forwarder',
      in: { type: 'SUB', connect: ['tcp://127.0.0.1:41501'], options: { invert_matching: true, subscribe: 'x', sndhwm: 1 } },
      out: { type: 'PUB', bind: ['tcp://127.0.0.1:41507'] },
    },
  ],
};

test('exportPyzmq: device classes', () => {
  const script = exportPyzmq(doc);
  assert.match(script, /XsubProcessDevice\(zmq\.FORWARDER, zmq\.XSUB, zmq\.XPUB\)/);
  assert.match(script, /\.xsub_topics = \(\(0, b'a', True\), \(0, b'b\\'', True\), \)/);
  assert.match(script, /ProcessMonitoredQueue\(zmq\.ROUTER, zmq\.ROUTER, zmq\.PUB, b'in', b'out'\)/);
  assert.match(script, /ProcessProxySteerable\(zmq\.PULL, zmq\.PUSH, zmq\.PUB, zmq\.PAIR\)/);
});

test('exportPyzmq: options before binds', () => {
  const script = exportPyzmq(doc);
  const lines = script.split('\n').filter((line) => line.includes('device_3.'));
  assert.deepEqual(lines.map((line) => line.trim()), [
    'device_3.setsockopt_in(zmq.INVERT_MATCHING, 1)',
    'device_3.setsockopt_in(zmq.SNDHWM, 1)',
    "device_3.setsockopt_in(zmq.SUBSCRIBE, b'x')",
    "device_3.connect_in('tcp://127.0.0.1:41501')",
    "device_3.bind_out('tcp://127.0.0.1:41507')",
  ]);
});

test('exportPyzmq: secrets read from environment', () => {
  const script = exportPyzmq(doc, { FAN_SECRET: 'must-not-appear' });
  assert.match(script, /setsockopt_out\(zmq\.CURVE_SECRETKEY, env_value\('FAN_SECRET', 'fan', 'curve_secretkey', 'bytes'\)\)/);
  assert.doesNotMatch(script, /must-not-appear/);
});

test('exportPyzmq: script compiles', { skip: !existsSync(PYTHON) && `${PYTHON} is missing` }, () => {
  const result = spawnSync(PYTHON, ['-c', 'import sys; compile(sys.stdin.read(), "topology.py", "exec")'], {
    input: exportPyzmq(doc),
    encoding: 'utf8',
    timeout: 20_000,
  });
  assert.equal(result.status, 0, result.stderr);
});
