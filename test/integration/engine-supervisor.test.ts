/**
 * Engine supervision with real worker processes and real sockets on loopback:
 * states, counters, start failures, crashes and restarts, forced stops, taps.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Dealer, Router } from 'zeromq';
import type { DeviceState, EventPayload } from '../../app/core/contract.js';
import { Engine } from '../../app/engine/engine.js';
import { ChildProcessHost } from '../../app/engine/host.js';
import {
  ANY_PORT,
  isAlive,
  monitoredQueue,
  record,
  statesOf,
  streamer,
  temporaryFolder,
  topology,
  waitFor,
  waitUntilGone,
} from './engine-fixtures.js';

const engines: Engine[] = [];

function newEngine(options: Partial<ConstructorParameters<typeof Engine>[0]> = {}): Engine {
  const engine = new Engine({ host: new ChildProcessHost(), ...options });
  engines.push(engine);
  return engine;
}

after(async () => {
  await Promise.all(engines.map((engine) => engine.close()));
});

function stateOf(engine: Engine, device: string, events: Array<EventPayload<'device:state'>>): DeviceState | undefined {
  return events.filter((event) => event.device === device).at(-1)?.state;
}

describe('engine supervisor', () => {
  /*
   *   [pipe] PULL tcp://127.0.0.1:* -> PUSH tcp://127.0.0.1:*
   *   started, watched for counters, stopped
   */
  test('start and stop go through states in order', async () => {
    const engine = newEngine();
    const states = record(engine, 'device:state');
    const counters = record(engine, 'device:counters');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('pipe', { in: ANY_PORT, out: ANY_PORT })]),
    });

    await engine.handle('device:start', {});
    const running = (await engine.handle('device:states', {}))['pipe'];
    assert.equal(running?.state, 'running');
    assert.ok(running?.state === 'running');
    assert.ok(running.pid !== undefined);
    const pid = running.pid;
    assert.match(running.endpoints.in?.join(' ') ?? '', /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.match(running.endpoints.out?.join(' ') ?? '', /^tcp:\/\/127\.0\.0\.1:\d+$/);

    const firstCount = counters.length;
    await waitFor('four counters events', () => counters.length >= firstCount + 4, 5_000);
    const times = counters.slice(firstCount).map((event) => event.counters.at);
    for (let index = 1; index < times.length; index++) {
      assert.ok(times[index]! - times[index - 1]! <= 1_000, `counters ${index} came ${times[index]! - times[index - 1]!} ms after the previous one`);
    }

    await engine.handle('device:stop', {});
    assert.deepEqual(statesOf(states, 'pipe'), ['starting', 'running', 'stopping', 'stopped']);
    await waitUntilGone([pid]);
  });

  /*
   *   test Router binds a free port P first
   *   [taken]  ROUTER bind :P  -> fails with EADDRINUSE
   *   [free]   PULL -> PUSH on other free ports, keeps running
   */
  test('port in use fails that device only', async (t) => {
    const blocker = new Router({ linger: 0 });
    await blocker.bind(ANY_PORT);
    t.after(() => blocker.close());
    const takenEndpoint = blocker.lastEndpoint!;

    const engine = newEngine();
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [
        monitoredQueue('taken', { in: takenEndpoint, out: ANY_PORT, mon: ANY_PORT }),
        streamer('free', { in: ANY_PORT, out: ANY_PORT }),
      ]),
    });
    await engine.handle('device:start', {});

    const all = await engine.handle('device:states', {});
    const taken = all['taken'];
    assert.equal(taken?.state, 'failed');
    assert.ok(taken?.state === 'failed');
    assert.equal(taken.code, 'EADDRINUSE');
    assert.equal(taken.endpoint, takenEndpoint);
    assert.ok(taken.reason.includes(takenEndpoint), taken.reason);
    assert.equal(all['free']?.state, 'running');

    const takenPids = engine.workerPids();
    await waitFor('the failed worker to exit', () => engine.workerPids()['taken'] === undefined);
    const freePid = takenPids['free'];
    assert.ok(freePid !== undefined);
    assert.ok(isAlive(freePid));
    assert.equal(stateOf(engine, 'free', states)?.state, 'running');
  });

  /*
   *   [phoenix] PULL -> PUSH on free ports, restart on-failure
   *   the test kills its worker with SIGKILL
   */
  test('SIGKILL is a crash and restarts', async () => {
    const engine = newEngine({ timings: { initialBackoffMs: 100 } });
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [
        streamer('phoenix', { in: ANY_PORT, out: ANY_PORT }, { restart: 'on-failure' }),
      ]),
    });
    await engine.handle('device:start', {});
    const firstPid = engine.workerPids()['phoenix'];
    assert.ok(firstPid !== undefined);

    process.kill(firstPid, 'SIGKILL');
    const crashed = await waitFor('a crashed state', () =>
      states.find((event) => event.device === 'phoenix' && event.state.state === 'crashed'),
    );
    assert.deepEqual(crashed.state, { state: 'crashed', exitCode: null, signal: 'SIGKILL', restartInMs: 100 });

    const restarted = await waitFor('a second running state', () => {
      const running = states.filter((event) => event.device === 'phoenix' && event.state.state === 'running');
      return running.length >= 2 ? running[1] : undefined;
    });
    assert.ok(restarted.state.state === 'running');
    assert.notEqual(restarted.state.pid, firstPid);
    assert.deepEqual(statesOf(states, 'phoenix'), ['starting', 'running', 'crashed', 'starting', 'running']);
  });

  /*
   *   [phoenix] killed twice: the back-off doubles while runs are short, and
   *   starts over when a run lasted the stable period (0 ms here)
   */
  for (const { stablePeriodMs, delays } of [
    { stablePeriodMs: 60_000, delays: [100, 200] },
    { stablePeriodMs: 0, delays: [100, 100] },
  ]) {
    test(`back-off is ${delays.join(' then ')} ms with stable period ${stablePeriodMs} ms`, async () => {
      const engine = newEngine({ timings: { initialBackoffMs: 100, stablePeriodMs } });
      const states = record(engine, 'device:state');
      await engine.handle('document:replace', {
        document: topology('t', [
          streamer('phoenix', { in: ANY_PORT, out: ANY_PORT }, { restart: 'on-failure' }),
        ]),
      });
      await engine.handle('device:start', {});
      const started = (await engine.handle('device:states', {}))['phoenix'];
      assert.equal(started?.state, 'running', JSON.stringify(started));

      const observed: Array<number | undefined> = [];
      for (let crash = 1; crash <= 2; crash++) {
        const pid = engine.workerPids()['phoenix'];
        assert.ok(pid !== undefined);
        process.kill(pid, 'SIGKILL');
        const crashed = await waitFor(`crash ${crash}`, () => {
          const all = states.filter((event) => event.state.state === 'crashed');
          return all.length >= crash ? all[crash - 1] : undefined;
        });
        observed.push(crashed.state.state === 'crashed' ? crashed.state.restartInMs : undefined);
        await waitFor(`running after crash ${crash}`, () => states.filter((event) => event.state.state === 'running').length > crash);
      }
      assert.deepEqual(observed, delays);
      await engine.close();
    });
  }

  /*
   *   [crashy] restart never: SIGKILL leaves it crashed, with no restart scheduled
   */
  test('crash without restart policy stays crashed', async () => {
    const engine = newEngine();
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('crashy', { in: ANY_PORT, out: ANY_PORT })]),
    });
    await engine.handle('device:start', {});
    const pid = engine.workerPids()['crashy'];
    assert.ok(pid !== undefined);

    process.kill(pid, 'SIGKILL');
    const crashed = await waitFor('a crashed state', () => stateOf(engine, 'crashy', states)?.state === 'crashed' && stateOf(engine, 'crashy', states));
    assert.deepEqual(crashed, { state: 'crashed', exitCode: null, signal: 'SIGKILL' });
    assert.deepEqual(statesOf(states, 'crashy'), ['starting', 'running', 'crashed']);
  });

  /*
   *   [frozen] its worker is stopped with SIGSTOP, so it cannot react to `stop`;
   *   the supervisor kills it after the stop timeout
   */
  test('stop kills a worker that ignores stop', async () => {
    const engine = newEngine({ timings: { stopTimeoutMs: 500 } });
    const states = record(engine, 'device:state');
    const log = record(engine, 'log:entry');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('frozen', { in: ANY_PORT, out: ANY_PORT })]),
    });
    await engine.handle('device:start', {});
    const pid = engine.workerPids()['frozen'];
    assert.ok(pid !== undefined);

    process.kill(pid, 'SIGSTOP');
    const started = Date.now();
    await engine.handle('device:stop', { ids: ['frozen'] });
    const elapsed = Date.now() - started;

    assert.ok(elapsed >= 500, `stop returned after ${elapsed} ms, before the 500 ms bound`);
    assert.ok(elapsed < 3_500, `stop took ${elapsed} ms`);
    assert.equal(isAlive(pid), false);
    assert.deepEqual(statesOf(states, 'frozen'), ['starting', 'running', 'stopping', 'stopped']);
    assert.ok(log.some((entry) => entry.source === `device frozen pid=${pid}` && /SIGKILL/.test(entry.message)));
  });

  /*
   *   [mute] a real worker, frozen with SIGSTOP right after it is spawned,
   *   so it never reports ready: the start times out and the worker is killed
   */
  test('start timeout fails and kills', async () => {
    const inner = new ChildProcessHost();
    const frozen: number[] = [];
    const freezingHost = {
      spawn(deviceId: string) {
        const worker = inner.spawn(deviceId);
        process.kill(worker.pid!, 'SIGSTOP');
        frozen.push(worker.pid!);
        return worker;
      },
    };
    const engine = newEngine({ host: freezingHost, timings: { startTimeoutMs: 1_000, stopTimeoutMs: 300 } });
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('mute', { in: ANY_PORT, out: ANY_PORT }, { restart: 'on-failure' })]),
    });

    await engine.handle('device:start', {});
    const mute = (await engine.handle('device:states', {}))['mute'];
    assert.ok(mute?.state === 'failed');
    assert.match(mute.reason, /did not report ready within 1 s/);
    assert.equal(frozen.length, 1);
    await waitUntilGone(frozen);
    assert.deepEqual(statesOf(states, 'mute'), ['starting', 'failed']);
  });

  /*
   *   client DEALER -> ROUTER in [broker] out DEALER <- worker DEALER (echo)
   *                            mon PUB -> engine tap (SUB)
   *   over tcp with wildcard ports and over ipc in a temporary folder
   */
  for (const transport of ['tcp', 'ipc'] as const) {
    test(`tap delivers prefixed batches over ${transport}`, async (t) => {
      const folder = temporaryFolder('tap');
      t.after(folder.remove);
      const endpoints =
        transport === 'tcp'
          ? { in: 'tcp://127.0.0.1:*', out: 'tcp://127.0.0.1:*', mon: 'tcp://127.0.0.1:*' }
          : { in: `ipc://${join(folder.path, 'in')}`, out: `ipc://${join(folder.path, 'out')}`, mon: `ipc://${join(folder.path, 'mon')}` };
      const engine = newEngine();
      const batches = record(engine, 'monitor:batch');
      await engine.handle('document:replace', { document: topology('t', [monitoredQueue('broker', endpoints)]) });
      await engine.handle('monitor:subscribe', { device: 'broker' });
      await engine.handle('device:start', {});
      const running = (await engine.handle('device:states', {}))['broker'];
      assert.ok(running?.state === 'running');
      if (transport === 'tcp') assert.match(running.endpoints.mon?.[0] ?? '', /^tcp:\/\/127\.0\.0\.1:\d+$/);

      const client = new Dealer({ linger: 0, routingId: 'c1' });
      const worker = new Dealer({ linger: 0 });
      t.after(() => {
        client.close();
        worker.close();
      });
      client.connect(running.endpoints.in![0]!);
      worker.connect(running.endpoints.out![0]!);
      const echo = (async () => {
        for await (const [id, empty, body] of worker) {
          await worker.send([id!, empty!, body!.toString() === 'hello' ? 'world' : body!]);
        }
      })().catch(() => undefined);

      // A SUB misses what is published before its subscription reaches the PUB,
      // so probes go through until the tap has seen one.
      for (let probe = 0; probe < 100 && batches.length === 0; probe++) {
        await client.send(['', `probe ${probe}`]);
        await client.receive();
        await waitFor('a batch', () => batches.length > 0, 100).catch(() => undefined);
      }
      assert.ok(batches.length > 0, 'the tap delivered no batch after 100 probes');

      await client.send(['', 'hello']);
      const [, reply] = await client.receive();
      assert.equal(reply?.toString(), 'world');

      const messages = await waitFor('the hello and world monitor messages', () => {
        const all = batches.flatMap((batch) => batch.messages);
        const decoded = all.map((message) => ({
          prefix: message.prefix,
          frames: message.frames.map((frame) => Buffer.from(frame, 'base64').toString()),
          bytes: message.bytes,
          device: message.device,
        }));
        const hello = decoded.find((message) => message.frames.at(-1) === 'hello');
        const world = decoded.find((message) => message.frames.at(-1) === 'world');
        return hello && world ? { hello, world } : undefined;
      });
      assert.deepEqual(messages.hello, { prefix: 'in', frames: ['c1', '', 'hello'], bytes: 7, device: 'broker' });
      assert.deepEqual(messages.world, { prefix: 'out', frames: ['c1', '', 'world'], bytes: 7, device: 'broker' });
      assert.ok(batches.every((batch) => batch.device === 'broker' && batch.dropped === 0));

      await engine.close();
      worker.close();
      await echo;
    });
  }

  /*
   *   client DEALER -> ROUTER in [flood] out DEALER <- sink DEALER
   *                            mon PUB -> engine tap limited to 10 messages a batch
   */
  test('tap bounds batches and counts drops', async (t) => {
    const engine = newEngine({ tapLimits: { maxMessages: 10, intervalMs: 200 } });
    const batches = record(engine, 'monitor:batch');
    await engine.handle('document:replace', {
      document: topology('t', [
        monitoredQueue('flood', { in: ANY_PORT, out: ANY_PORT, mon: ANY_PORT }),
      ]),
    });
    await engine.handle('monitor:subscribe', { device: 'flood' });
    await engine.handle('device:start', {});

    const client = new Dealer({ linger: 0 });
    const sink = new Dealer({ linger: 0 });
    t.after(() => {
      client.close();
      sink.close();
    });
    const running = (await engine.handle('device:states', {}))['flood'];
    assert.ok(running?.state === 'running');
    client.connect(running.endpoints.in![0]!);
    sink.connect(running.endpoints.out![0]!);
    let received = 0;
    const draining = (async () => {
      for await (const _message of sink) received += 1;
    })().catch(() => undefined);

    for (let probe = 0; probe < 100 && batches.length === 0; probe++) {
      await client.send(['', `probe ${probe}`]);
      await waitFor('a batch', () => batches.length > 0, 100).catch(() => undefined);
    }
    assert.ok(batches.length > 0, 'the tap delivered no batch after 100 probes');
    await waitFor('the probes to arrive', () => received > 0);

    const before = batches.length;
    const sentBefore = received;
    const total = 500;
    for (let index = 0; index < total; index++) await client.send(['', `flood ${index}`]);
    await waitFor('every flood message at the sink', () => received >= sentBefore + total);
    const seen = () => batches.slice(before).reduce((sum, batch) => sum + batch.messages.length + batch.dropped, 0);
    await waitFor('the tap to account for the flood', () => seen() >= total);

    const later = batches.slice(before);
    for (const batch of later) assert.ok(batch.messages.length <= 10, `a batch had ${batch.messages.length} messages`);
    assert.ok(later.some((batch) => batch.dropped > 0), 'no batch reported dropped messages');

    await engine.close();
    sink.close();
    await draining;
  });

  /*
   *   [a] and [b] streamers on free ports; close() must leave no worker
   */
  test('close leaves no process', async () => {
    const engine = newEngine();
    await engine.handle('document:replace', {
      document: topology('t', [
        streamer('a', { in: ANY_PORT, out: ANY_PORT }),
        streamer('b', { in: ANY_PORT, out: ANY_PORT }, { restart: 'on-failure' }),
      ]),
    });
    await engine.handle('device:start', {});
    const pids = Object.values(engine.workerPids());
    assert.equal(pids.length, 2);
    assert.ok(pids.every(isAlive));

    await engine.close();
    assert.ok(pids.every((pid) => !isAlive(pid)), 'a worker outlived close()');
    assert.deepEqual(engine.workerPids(), {});
    await assert.rejects(engine.handle('device:states', {}), /engine is closed/);
  });

  /*
   *   [early] close() arrives while the worker is still starting
   */
  test('close during start leaves no process', async () => {
    const spawned: number[] = [];
    const inner = new ChildProcessHost();
    const recordingHost = {
      spawn(deviceId: string) {
        const worker = inner.spawn(deviceId);
        spawned.push(worker.pid!);
        return worker;
      },
    };
    const engine = newEngine({ host: recordingHost });
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('early', { in: ANY_PORT, out: ANY_PORT }, { restart: 'on-failure' })]),
    });

    const starting = engine.handle('device:start', {});
    await waitFor('the starting state', () => statesOf(states, 'early').includes('starting'));
    await engine.close();
    await starting;

    assert.equal(spawned.length, 1);
    assert.equal(isAlive(spawned[0]!), false);
    assert.equal(statesOf(states, 'early').at(-1), 'stopped');
    assert.ok(!statesOf(states, 'early').includes('crashed'));
  });

  /*
   *   [paused] streamer: pause and resume go through the worker and back
   */
  test('pause and resume change state', async () => {
    const engine = newEngine();
    const states = record(engine, 'device:state');
    await engine.handle('document:replace', {
      document: topology('t', [streamer('steered', { in: ANY_PORT, out: ANY_PORT })]),
    });
    await engine.handle('device:start', {});
    await assert.rejects(engine.handle('device:resume', {}), /Cannot resume device "steered" while it is running/);

    await engine.handle('device:pause', {});
    await waitFor('the paused state', () => stateOf(engine, 'steered', states)?.state === 'paused');
    await engine.handle('device:resume', {});
    await waitFor('the running state', () => stateOf(engine, 'steered', states)?.state === 'running');
    assert.deepEqual(statesOf(states, 'steered'), ['starting', 'running', 'paused', 'running']);
  });
});
