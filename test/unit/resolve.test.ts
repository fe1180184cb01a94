import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidEnvValueError, MissingSecretError, resolveDevice } from '../../app/core/resolve.js';
import type { DeviceSpec } from '../../app/core/topology.js';
import { resolvedDeviceSchema } from '../../app/core/worker-protocol.js';

const device: DeviceSpec = {
  id: 'broker',
  kind: 'monitored-queue',
  in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41600'], options: { ZMQ_SNDHWM: 5, identity: 'front', curve_secretkey: { env: 'BROKER_SECRET' } } },
  out: { type: 'DEALER' },
  mon: { type: 'PUB', connect: ['tcp://127.0.0.1:41601'], options: { linger: { env: 'BROKER_LINGER' }, immediate: { env: 'BROKER_IMMEDIATE' } } },
  prefix: { out: 'rep' },
  restart: 'on-failure',
};

const env = { BROKER_SECRET: 'secret-value', BROKER_LINGER: ' 250 ', BROKER_IMMEDIATE: 'true' };

test('resolveDevice: defaults, names and env', () => {
  const resolved = resolveDevice(device, env);
  assert.deepEqual(resolved, {
    id: 'broker',
    kind: 'monitored-queue',
    in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41600'], connect: [], options: { sndhwm: 5, routing_id: 'front', curve_secretkey: 'secret-value' } },
    out: { type: 'DEALER', bind: [], connect: [], options: {} },
    mon: { type: 'PUB', bind: [], connect: ['tcp://127.0.0.1:41601'], options: { linger: 250, immediate: true } },
    prefix: { in: 'in', out: 'rep' },
  });
  assert.ok(resolvedDeviceSchema.safeParse(resolved).success);
});

test('resolveDevice: input left unchanged', () => {
  const copy = structuredClone(device);
  resolveDevice(device, env);
  assert.deepEqual(device, copy);
});

test('resolveDevice: missing secret', () => {
  for (const value of [undefined, '']) {
    assert.throws(
      () => resolveDevice(device, { ...env, BROKER_SECRET: value }),
      (error: unknown) => {
        assert.ok(error instanceof MissingSecretError);
        assert.equal(error.device, 'broker');
        assert.equal(error.role, 'in');
        assert.equal(error.option, 'curve_secretkey');
        assert.equal(error.variable, 'BROKER_SECRET');
        assert.match(error.message, /Set BROKER_SECRET in the environment/);
        assert.doesNotMatch(error.message, /secret-value/);
        return true;
      },
    );
  }
});

test('resolveDevice: invalid env values', () => {
  const cases: Array<[Record<string, string>, string, RegExp]> = [
    [{ BROKER_LINGER: 'soon' }, 'linger', /is not an integer/],
    [{ BROKER_LINGER: '1.5' }, 'linger', /is not an integer/],
    [{ BROKER_IMMEDIATE: 'yes' }, 'immediate', /true, false, 1 or 0/],
  ];
  for (const [override, option, message] of cases) {
    assert.throws(
      () => resolveDevice(device, { ...env, ...override }),
      (error: unknown) => {
        assert.ok(error instanceof InvalidEnvValueError);
        assert.equal(error.option, option);
        assert.match(error.message, message);
        return true;
      },
    );
  }
});

test('resolveDevice: unknown option passed through', () => {
  const resolved = resolveDevice({ ...device, out: { type: 'DEALER', options: { not_an_option: 1 } } }, env);
  assert.deepEqual(resolved.out.options, { not_an_option: 1 });
});
