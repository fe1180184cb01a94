/**
 * The engine's document commands and the checks it runs before starting a
 * device, with real workers where a device starts.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import type { EventPayload } from '../../app/core/contract.js';
import { Engine, DocumentImportError } from '../../app/engine/engine.js';
import { ChildProcessHost } from '../../app/engine/host.js';
import { ANY_PORT, isAlive, monitoredQueue, record, statesOf, streamer, topology, waitUntilGone } from './engine-fixtures.js';

const engines: Engine[] = [];

function newEngine(env: Record<string, string | undefined> = {}): Engine {
  const engine = new Engine({ host: new ChildProcessHost(), env });
  engines.push(engine);
  return engine;
}

after(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
});

const PIPE = streamer('pipe', { in: 'tcp://127.0.0.1:43301', out: 'tcp://127.0.0.1:43302' });

describe('engine document', () => {
  test('starts with an empty document', async () => {
    const engine = newEngine();
    const state = await engine.handle('document:get', {});
    assert.equal(state.document.version, 1);
    assert.deepEqual(state.document.devices, []);
    assert.deepEqual(state.problems, []);
    assert.deepEqual(await engine.handle('device:states', {}), {});
  });

  test('replace emits document changed', async () => {
    const engine = newEngine();
    const changes = record(engine, 'document:changed');
    const state = await engine.handle('document:replace', { document: topology('one', [PIPE]) });

    assert.equal(state.document.name, 'one');
    assert.equal(changes.length, 1);
    assert.deepEqual(changes[0], state);
    assert.deepEqual(await engine.handle('device:states', {}), { pipe: { state: 'stopped' } });
  });

  test('replace keeps validation errors as problems', async () => {
    const engine = newEngine();
    const bad = streamer('bad', { in: 'tcp://127.0.0.1:99999', out: 'tcp://127.0.0.1:43303' });
    const state = await engine.handle('document:replace', { document: topology('t', [bad]) });

    assert.equal(state.document.devices[0]?.id, 'bad');
    const problem = state.problems.find((candidate) => candidate.path === '$.devices[0].in.bind[0]');
    assert.ok(problem);
    assert.equal(problem.severity, 'error');
    assert.deepEqual(await engine.handle('document:validate', {}), state.problems);
  });

  test('import of a bad file keeps the document', async () => {
    const engine = newEngine();
    await engine.handle('document:replace', { document: topology('kept', [PIPE]) });
    const changes = record(engine, 'document:changed');

    const cases = ['{ "version": 1, "name": "x", "devices": [', '{ "version": 2, "name": "x", "devices": [] }', 'version: 1\nname: x\ndevices: 5\n'];
    for (const text of cases) {
      const error = await engine.handle('document:import', { text }).then(
        () => assert.fail(`import of ${JSON.stringify(text)} succeeded`),
        (rejection: unknown) => rejection,
      );
      assert.ok(error instanceof DocumentImportError);
      assert.ok(error.problems.length > 0);
      assert.match(error.message, /open document is unchanged/);
      assert.match(error.message, /\$/);
    }

    assert.equal(changes.length, 0);
    assert.equal((await engine.handle('document:get', {})).document.name, 'kept');
  });

  test('import reads YAML and aliases', async () => {
    const engine = newEngine();
    const text = [
      'version: 1',
      'name: from-yaml',
      'devices:',
      '  - id: q',
      '    kind: queue',
      '    in: { type: ROUTER, bind: ["tcp://127.0.0.1:43304"], options: { ZMQ_SNDHWM: 10 } }',
      '    out: { type: DEALER, bind: ["tcp://127.0.0.1:43305"] }',
      '',
    ].join('\n');
    const state = await engine.handle('document:import', { text, format: 'yaml' });

    assert.equal(state.document.name, 'from-yaml');
    assert.deepEqual(state.document.devices[0]?.in.options, { sndhwm: 10 });
  });

  test('export round-trips through import', async () => {
    const engine = newEngine();
    const original = { ...topology('round', [PIPE]), layout: { pipe: { x: 1, y: 2 } } };
    await engine.handle('document:replace', { document: original });

    for (const format of ['json', 'yaml'] as const) {
      const { text } = await engine.handle('document:export', { format });
      const other = newEngine();
      const imported = await other.handle('document:import', { text, format });
      assert.deepEqual(imported.document, original, `${format} round trip`);
    }
    const { text: script } = await engine.handle('document:export', { format: 'pyzmq' });
    assert.match(script, /zmq/);
    assert.match(script, /tcp:\/\/127\.0\.0\.1:43301/);
  });

  test('patch applies all changes or none', async () => {
    const engine = newEngine();
    await engine.handle('document:replace', { document: topology('p', [PIPE]) });
    const second = streamer('second', { in: 'tcp://127.0.0.1:43306', out: 'tcp://127.0.0.1:43307' });

    const state = await engine.handle('document:patch', {
      changes: [
        { type: 'device:add', device: second, position: { x: 10, y: 20 } },
        { type: 'layout:move', id: 'pipe', x: 5, y: 6 },
        { type: 'topology:rename', name: 'patched' },
        { type: 'device:update', id: 'second', device: { ...second, id: 'renamed' } },
      ],
    });
    assert.equal(state.document.name, 'patched');
    assert.deepEqual(state.document.devices.map((device) => device.id), ['pipe', 'renamed']);
    assert.deepEqual(state.document.layout, { pipe: { x: 5, y: 6 }, renamed: { x: 10, y: 20 } });

    await assert.rejects(
      engine.handle('document:patch', {
        changes: [
          { type: 'device:remove', id: 'pipe' },
          { type: 'device:remove', id: 'ghost' },
        ],
      }),
      /Change 1 \(device:remove\): no device named "ghost"/,
    );
    await assert.rejects(
      engine.handle('document:patch', { changes: [{ type: 'device:add', device: PIPE }] }),
      /a device named "pipe" already exists/,
    );
    assert.deepEqual((await engine.handle('document:get', {})).document, state.document);
  });

  /*
   *   [good] streamer on free ports starts
   *   [broken] has a bind on port 99999, so the engine marks it failed without a worker
   */
  test('device with errors fails alone', async () => {
    const engine = newEngine();
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [
        streamer('good', { in: ANY_PORT, out: ANY_PORT }),
        streamer('broken', { in: 'tcp://127.0.0.1:99999', out: 'tcp://127.0.0.1:43313' }),
      ]),
    });
    await engine.handle('device:start', {});

    const all = await engine.handle('device:states', {});
    assert.equal(all['good']?.state, 'running');
    const broken = all['broken'];
    assert.ok(broken?.state === 'failed');
    assert.match(broken.reason, /validation error/);
    assert.match(broken.reason, /\$\.devices\[1\]\.in\.bind\[0\]/);
    assert.deepEqual(statesOf(states, 'broken'), ['failed']);
    assert.equal(engine.workerPids()['broken'], undefined);
  });

  test('missing secret fails without a worker', async () => {
    const engine = newEngine({});
    const device = streamer('secretive', { in: 'tcp://127.0.0.1:43321', out: 'tcp://127.0.0.1:43322' });
    device.in.options = { plain_server: true, plain_password: { env: 'SWITCHYARD_TEST_UNSET_PASSWORD' } };
    const state = await engine.handle('document:replace', { document: topology('t', [device]) });
    assert.deepEqual(
      state.problems.filter((problem) => problem.severity === 'error'),
      [],
    );
    const log = record(engine, 'log:entry');

    await engine.handle('device:start', {});
    const secretive = (await engine.handle('device:states', {}))['secretive'];
    assert.ok(secretive?.state === 'failed');
    assert.match(secretive.reason, /SWITCHYARD_TEST_UNSET_PASSWORD/);
    assert.equal(engine.workerPids()['secretive'], undefined);
    assert.ok(log.some((entry) => entry.level === 'error' && entry.source === 'device secretive'));
  });

  test('secret from env reaches the worker unlogged', async () => {
    const secret = 'not-for-logs-7f3a';
    const engine = newEngine({ SWITCHYARD_TEST_PASSWORD: secret });
    const log = record(engine, 'log:entry');
    const device = streamer('guarded', { in: ANY_PORT, out: ANY_PORT });
    device.in.options = { plain_server: true, plain_password: { env: 'SWITCHYARD_TEST_PASSWORD' } };
    await engine.handle('document:replace', { document: topology('t', [device]) });

    await engine.handle('device:start', {});
    assert.equal((await engine.handle('device:states', {}))['guarded']?.state, 'running');
    await engine.handle('device:stop', {});
    assert.ok(log.length > 0);
    assert.ok(log.every((entry) => !entry.message.includes(secret)));
  });

  test('removing a running device stops it', async () => {
    const engine = newEngine();
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('doomed', { in: ANY_PORT, out: ANY_PORT })]),
    });
    await engine.handle('device:start', {});
    const pid = engine.workerPids()['doomed'];
    assert.ok(pid !== undefined);
    assert.ok(isAlive(pid));

    await engine.handle('document:replace', { document: topology('t', []) });
    await waitUntilGone([pid]);
    assert.deepEqual(statesOf(states, 'doomed'), ['starting', 'running', 'stopping', 'stopped']);
    assert.deepEqual(await engine.handle('device:states', {}), {});
  });

  test('unknown ids and untappable monitors are rejected', async () => {
    const engine = newEngine();
    await engine.handle('document:replace', {
      document: topology('t', [
        PIPE,
        monitoredQueue('pushy', { in: 'tcp://127.0.0.1:43341', out: 'tcp://127.0.0.1:43342', mon: 'tcp://127.0.0.1:43343' }, {}),
      ]),
    });
    const pushy = (await engine.handle('document:get', {})).document.devices[1]!;
    await engine.handle('document:patch', {
      changes: [{ type: 'device:update', id: 'pushy', device: { ...pushy, mon: { type: 'PUB', connect: ['tcp://127.0.0.1:43344'] } } }],
    });

    await assert.rejects(engine.handle('device:start', { ids: ['ghost'] }), /No device named "ghost" in the open document \(devices: "pipe", "pushy"\)/);
    await assert.rejects(engine.handle('monitor:subscribe', { device: 'ghost' }), /not in the open document/);
    await assert.rejects(engine.handle('monitor:subscribe', { device: 'pipe' }), /has no monitor socket/);
    await assert.rejects(engine.handle('monitor:subscribe', { device: 'pushy' }), /it only connects/);
    await assert.rejects(engine.handle('device:pause', { ids: ['pipe'] }), /Cannot pause device "pipe": it is not running/);
  });

  test('state events carry the device id', async () => {
    const engine = newEngine();
    const states: Array<EventPayload<'device:state'>> = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('named', { in: ANY_PORT, out: ANY_PORT })]),
    });
    await engine.handle('device:start', { ids: ['named'] });
    await engine.handle('device:start', { ids: ['named'] });
    await engine.handle('device:stop', { ids: ['named'] });
    await engine.handle('device:stop', { ids: ['named'] });

    assert.ok(states.every((event) => event.device === 'named'));
    assert.deepEqual(statesOf(states, 'named'), ['starting', 'running', 'stopping', 'stopped']);
  });
});
