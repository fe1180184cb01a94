import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as zmq from 'zeromq';
import {
  BUNDLED_CAPABILITIES,
  bindReaches,
  bindsConflict,
  endpointKey,
  parseEndpoint,
  unsupportedTransportReason,
  type Endpoint,
  type EndpointUse,
} from '../../app/core/endpoint.js';

function parsed(text: string, use: EndpointUse): Endpoint {
  const result = parseEndpoint(text, use);
  assert.ok(result.ok, `${text}: ${result.ok ? '' : result.message}`);
  return result.endpoint;
}

test('parseEndpoint: valid endpoints', () => {
  const cases: Array<[string, EndpointUse, Partial<Record<string, unknown>>]> = [
    ['tcp://127.0.0.1:5559', 'connect', { transport: 'tcp', host: '127.0.0.1', hostKind: 'ipv4', port: 5559 }],
    ['tcp://*:5559', 'bind', { host: '*', hostKind: 'wildcard', port: 5559 }],
    ['tcp://0.0.0.0:1', 'bind', { host: '0.0.0.0', hostKind: 'wildcard', port: 1 }],
    ['tcp://127.0.0.1:*', 'bind', { port: '*' }],
    ['tcp://127.0.0.1:0', 'bind', { port: '*' }],
    ['tcp://[::1]:65535', 'connect', { host: '::1', hostKind: 'ipv6', port: 65535 }],
    ['tcp://[::]:5000', 'bind', { host: '::', hostKind: 'wildcard' }],
    ['tcp://[2001:db8::ff00:42:8329]:80', 'connect', { hostKind: 'ipv6' }],
    ['tcp://LocalHost:5000', 'connect', { host: 'localhost', hostKind: 'name' }],
    ['tcp://broker.example.internal:5000', 'connect', { hostKind: 'name' }],
    ['tcp://eth0:5000', 'bind', { host: 'eth0', hostKind: 'name' }],
    ['tcp://127.0.0.1:0;127.0.0.1:5000', 'connect', { source: '127.0.0.1:0', port: 5000 }],
    ['ipc:///tmp/switchyard.sock', 'bind', { transport: 'ipc', path: '/tmp/switchyard.sock' }],
    ['ipc://*', 'bind', { transport: 'ipc', path: '*' }],
    ['ipc://@abstract', 'connect', { transport: 'ipc', path: '@abstract' }],
    ['inproc://workers', 'bind', { transport: 'inproc', name: 'workers' }],
    ['ws://127.0.0.1:8080/feed', 'bind', { transport: 'ws', port: 8080, path: '/feed' }],
    ['pgm://eth0;239.192.1.1:5555', 'connect', { transport: 'pgm', address: 'eth0;239.192.1.1:5555' }],
    ['epgm://eth0;239.192.1.1:5555', 'connect', { transport: 'epgm' }],
    ['tipc://{5560,0,0}', 'bind', { transport: 'tipc' }],
    ['norm://1,127.0.0.1:5555', 'bind', { transport: 'norm' }],
    ['vmci://1:5555', 'connect', { transport: 'vmci' }],
  ];
  for (const [text, use, expected] of cases) {
    const endpoint = parsed(text, use);
    for (const [key, value] of Object.entries(expected)) {
      assert.deepEqual((endpoint as Record<string, unknown>)[key], value, `${text} ${key}`);
    }
  }
});

test('parseEndpoint: invalid endpoints', () => {
  const cases: Array<[string, EndpointUse, RegExp]> = [
    ['127.0.0.1:5555', 'bind', /expected "transport:\/\/address"/],
    ['', 'bind', /invalid/],
    ['udpp://127.0.0.1:5555', 'bind', /unknown transport "udpp"/],
    ['tcp://127.0.0.1', 'connect', /no port/],
    ['tcp://127.0.0.1:', 'connect', /invalid port ""/],
    ['tcp://127.0.0.1:abc', 'connect', /invalid port "abc"/],
    ['tcp://127.0.0.1:65536', 'bind', /65536, which is out of range/],
    ['tcp://127.0.0.1:99999', 'connect', /out of range/],
    ['tcp://127.0.0.1:0', 'connect', /only a bind accepts/],
    ['tcp://127.0.0.1:*', 'connect', /only a bind accepts/],
    ['tcp://*:5555', 'connect', /connects to host "\*"/],
    ['tcp://:5555', 'bind', /no host/],
    ['tcp://256.1.1.1:5555', 'connect', /each part must be 0 to 255/],
    ['tcp://::1:5555', 'connect', /without brackets/],
    ['tcp://[::1:5555', 'connect', /never closes/],
    ['tcp://[::1]5555', 'connect', /no port after the IPv6 address/],
    ['tcp://[1:2:3]:5555', 'connect', /invalid IPv6 address/],
    ['tcp://bad host:5555', 'connect', /invalid host/],
    ['tcp://127.0.0.1:1;127.0.0.1:5555', 'bind', /only a connect accepts/],
    ['tcp://;127.0.0.1:5555', 'connect', /empty source address/],
    ['ipc://', 'bind', /no path/],
    [`ipc:///tmp/${'x'.repeat(120)}`, 'bind', /at most 107/],
    ['inproc://', 'bind', /no name/],
    ['pgm://', 'connect', /no address/],
  ];
  for (const [text, use, pattern] of cases) {
    const result = parseEndpoint(text, use);
    assert.equal(result.ok, false, text);
    if (!result.ok) assert.match(result.message, pattern, text);
  }
});

test('capabilities: constant matches zeromq', () => {
  assert.deepEqual({ ...BUNDLED_CAPABILITIES }, { ...zmq.capability });
});

test('unsupportedTransportReason: bundled build', () => {
  const cases: Array<[string, boolean]> = [
    ['tcp://127.0.0.1:5555', true],
    ['ipc:///tmp/a.sock', true],
    ['inproc://a', true],
    ['ws://127.0.0.1:8080', true],
    ['tipc://{5560,0,0}', true],
    ['pgm://eth0;239.192.1.1:5555', false],
    ['epgm://eth0;239.192.1.1:5555', false],
    ['norm://1,127.0.0.1:5555', false],
    ['wss://127.0.0.1:8443', false],
    ['vmci://1:5555', false],
    ['udp://127.0.0.1:5555', false],
  ];
  for (const [text, supported] of cases) {
    const reason = unsupportedTransportReason(parsed(text, 'bind'));
    assert.equal(reason === undefined, supported, `${text}: ${reason}`);
  }
});

test('unsupportedTransportReason: custom capabilities', () => {
  const ipc = parsed('ipc:///tmp/a.sock', 'bind');
  assert.match(unsupportedTransportReason(ipc, { ipc: false }) ?? '', /built without/);
  const pgm = parsed('pgm://eth0;239.192.1.1:5555', 'connect');
  assert.equal(unsupportedTransportReason(pgm, { pgm: true }), undefined);
  const ws = parsed('ws://127.0.0.1:8080', 'bind');
  assert.match(unsupportedTransportReason(ws, { draft: false }) ?? '', /draft/);
});

test('endpointKey: normalised spelling', () => {
  const cases: Array<[string, EndpointUse, string]> = [
    ['tcp://LOCALHOST:5555', 'connect', 'tcp://localhost:5555'],
    ['tcp://127.0.0.1:5555', 'connect', 'tcp://127.0.0.1:5555'],
    ['tcp://[::1]:5555', 'connect', 'tcp://[::1]:5555'],
    ['tcp://127.0.0.1:0', 'bind', 'tcp://127.0.0.1:*'],
    ['ipc:///tmp/a', 'bind', 'ipc:///tmp/a'],
  ];
  for (const [text, use, key] of cases) assert.equal(endpointKey(parsed(text, use)), key, text);
  assert.notEqual(endpointKey(parsed('tcp://localhost:5555', 'connect')), endpointKey(parsed('tcp://127.0.0.1:5555', 'connect')));
});

test('bindReaches: bind and connect pairs', () => {
  const cases: Array<[string, string, boolean]> = [
    ['tcp://127.0.0.1:5555', 'tcp://127.0.0.1:5555', true],
    ['tcp://*:5555', 'tcp://127.0.0.1:5555', true],
    ['tcp://*:5555', 'tcp://localhost:5555', true],
    ['tcp://0.0.0.0:5555', 'tcp://127.0.0.1:5555', true],
    ['tcp://127.0.0.1:5555', 'tcp://localhost:5555', true],
    ['tcp://[::]:5555', 'tcp://[::1]:5555', true],
    ['tcp://*:5555', 'tcp://127.0.0.1:5556', false],
    ['tcp://127.0.0.1:*', 'tcp://127.0.0.1:5555', false],
    ['tcp://127.0.0.1:5555', 'tcp://10.0.0.1:5555', false],
    ['tcp://*:5555', 'tcp://10.0.0.1:5555', false],
    ['tcp://127.0.0.1:5555', 'ipc:///tmp/5555', false],
    ['ipc:///tmp/a', 'ipc:///tmp/a', true],
    ['ipc:///tmp/a', 'ipc:///tmp/b', false],
    ['inproc://a', 'inproc://a', true],
    ['ws://127.0.0.1:8080/a', 'ws://127.0.0.1:8080/b', false],
  ];
  for (const [bind, connect, expected] of cases) {
    assert.equal(bindReaches(parsed(bind, 'bind'), parsed(connect, 'connect')), expected, `${bind} <- ${connect}`);
  }
});

test('bindsConflict: two binds', () => {
  const cases: Array<[string, string, boolean]> = [
    ['tcp://127.0.0.1:5555', 'tcp://127.0.0.1:5555', true],
    ['tcp://*:5555', 'tcp://127.0.0.1:5555', true],
    ['tcp://127.0.0.1:5555', 'tcp://0.0.0.0:5555', true],
    ['tcp://127.0.0.1:5555', 'tcp://127.0.0.1:5556', false],
    ['tcp://127.0.0.1:*', 'tcp://127.0.0.1:*', false],
    ['ipc:///tmp/a', 'ipc:///tmp/a', true],
    ['ipc://*', 'ipc://*', false],
    ['ipc:///tmp/a', 'tcp://127.0.0.1:5555', false],
    ['inproc://a', 'inproc://a', true],
  ];
  for (const [first, second, expected] of cases) {
    assert.equal(bindsConflict(parsed(first, 'bind'), parsed(second, 'bind')), expected, `${first} vs ${second}`);
  }
});
