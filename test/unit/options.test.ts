import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as zmq from 'zeromq';
import { lookupOption, OPTIONS, optionAppliesTo } from '../../app/core/options.js';
import { SOCKET_TYPES, type SocketType } from '../../app/core/topology.js';

const SOCKET_CLASSES: Record<SocketType, new () => zmq.Socket> = {
  PAIR: zmq.Pair,
  PUB: zmq.Publisher,
  SUB: zmq.Subscriber,
  REQ: zmq.Request,
  REP: zmq.Reply,
  DEALER: zmq.Dealer,
  ROUTER: zmq.Router,
  PULL: zmq.Pull,
  PUSH: zmq.Push,
  XPUB: zmq.XPublisher,
  XSUB: zmq.XSubscriber,
  STREAM: zmq.Stream,
};

function hasProperty(type: SocketType, property: string): boolean {
  let prototype: object | null = SOCKET_CLASSES[type].prototype;
  while (prototype) {
    if (Object.prototype.hasOwnProperty.call(prototype, property)) return true;
    prototype = Object.getPrototypeOf(prototype) as object | null;
  }
  return false;
}

test('options: zeromq property exists on every listed type', () => {
  for (const option of OPTIONS) {
    if (option.zeromq === null) continue;
    for (const type of SOCKET_TYPES) {
      if (!optionAppliesTo(option, type)) continue;
      assert.ok(hasProperty(type, option.zeromq), `${option.name}: zeromq.js has no ${option.zeromq} on ${type}`);
    }
  }
});

test('options: setting each property works', () => {
  const samples: Record<string, unknown> = { int: 1, bool: true };
  for (const option of OPTIONS) {
    if (option.zeromq === null || option.secret || !(option.valueType in samples)) continue;
    const type = option.socketTypes === 'all' ? 'DEALER' : (option.socketTypes[0] as SocketType);
    const socket = new SOCKET_CLASSES[type]();
    try {
      const value = option.name === 'tcp_keepalive' ? 1 : samples[option.valueType];
      assert.doesNotThrow(() => {
        (socket as unknown as Record<string, unknown>)[option.zeromq as string] = value;
      }, `${option.name} on ${type}`);
    } finally {
      socket.close();
    }
  }
});

test('options: names are unique and canonical', () => {
  const names = OPTIONS.map((option) => option.name);
  assert.equal(new Set(names).size, names.length);
  for (const name of names) assert.match(name, /^[a-z][a-z0-9_]*$/);
});

test('options: secrets are the credential options', () => {
  const secrets = OPTIONS.filter((option) => option.secret).map((option) => option.name);
  assert.deepEqual(secrets.sort(), ['curve_secretkey', 'plain_password']);
});

test('lookupOption: aliases and spellings', () => {
  const cases: Array<[string, string | undefined]> = [
    ['sndhwm', 'sndhwm'],
    ['ZMQ_SNDHWM', 'sndhwm'],
    ['SNDHWM', 'sndhwm'],
    ['zmq.SNDHWM', 'sndhwm'],
    ['sendHighWaterMark', 'sndhwm'],
    ['identity', 'routing_id'],
    ['ZMQ_IDENTITY', 'routing_id'],
    ['routingId', 'routing_id'],
    ['delay_attach_on_connect', 'immediate'],
    ['ZMQ_TCP_KEEPALIVE_CNT', 'tcp_keepalive_cnt'],
    ['subscribe', 'subscribe'],
    ['hwm', undefined],
    ['sndhmw', undefined],
    ['', undefined],
    ['__proto__', undefined],
  ];
  for (const [input, expected] of cases) {
    assert.equal(lookupOption(input)?.name, expected, input);
  }
});

test('optionAppliesTo: socket types', () => {
  const cases: Array<[string, SocketType, boolean]> = [
    ['subscribe', 'SUB', true],
    ['subscribe', 'XSUB', true],
    ['subscribe', 'PUB', false],
    ['router_mandatory', 'ROUTER', true],
    ['router_mandatory', 'DEALER', false],
    ['conflate', 'PUSH', true],
    ['conflate', 'ROUTER', false],
    ['sndhwm', 'PULL', false],
    ['sndhwm', 'PUSH', true],
    ['rcvhwm', 'PUB', false],
    ['linger', 'STREAM', true],
    ['routing_id', 'PUB', false],
    ['xpub_verbose', 'XPUB', true],
    ['xpub_verbose', 'PUB', false],
  ];
  for (const [name, type, expected] of cases) {
    const option = lookupOption(name);
    assert.ok(option, name);
    assert.equal(optionAppliesTo(option, type), expected, `${name} on ${type}`);
  }
});
