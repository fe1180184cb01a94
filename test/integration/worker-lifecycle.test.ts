/**
 * The life of a real worker process: resolved wildcard binds in `ready`,
 * start failures with libzmq's error code, stop and exit codes, invalid
 * messages, the counters interval, and exiting by itself when its parent dies.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import * as zmq from 'zeromq';
import { receiveText } from './helpers/sockets.js';
import { device, endpointOf, isProcessAlive, pollUntil, socket, WORKER_ENTRY } from './helpers/worker.js';
import { trackWorkerResources } from './helpers/worker-resources.js';

const { newWorker, addressesFor, peer } = trackWorkerResources();

/** Processes a test spawned without `newWorker`, killed by the `after` hook. */
const otherPids: number[] = [];

after(() => {
  for (const pid of otherPids) {
    if (isProcessAlive(pid)) process.kill(pid, 'SIGKILL');
  }
});

function streamer(inBind: string[], outBind: string[], options: Record<string, string | number | boolean | string[]> = {}) {
  return device('pipeline', 'streamer', {
    in: socket('PULL', { bind: inBind, options }),
    out: socket('PUSH', { bind: outBind }),
  });
}

describe('worker lifecycle', () => {
  test('ready reports resolved wildcard ports', async () => {
    //  [PULL in: tcp://127.0.0.1:* twice | streamer | PUSH out: tcp://127.0.0.1:0]
    const worker = newWorker();
    const ready = await worker.start(
      streamer(['tcp://127.0.0.1:*', 'tcp://127.0.0.1:*'], ['tcp://127.0.0.1:0']),
    );

    const inEndpoints = ready.endpoints.in ?? [];
    assert.equal(inEndpoints.length, 2);
    const ports = [...inEndpoints, endpointOf(ready, 'out')].map((endpoint) => {
      const match = /^tcp:\/\/127\.0\.0\.1:(\d+)$/.exec(endpoint);
      assert.ok(match, `"${endpoint}" is a resolved tcp endpoint`);
      return Number(match[1]);
    });
    for (const port of ports) assert.ok(port > 0 && port < 65536);
    assert.equal(new Set(ports).size, 3, 'each bind got its own port');

    // Both resolved in endpoints accept peers.
    const consumer = peer(new zmq.Pull());
    consumer.connect(endpointOf(ready, 'out'));
    for (const endpoint of inEndpoints) {
      const producer = peer(new zmq.Push());
      producer.connect(endpoint);
      await producer.send(endpoint);
      assert.deepEqual(await receiveText(consumer), [endpoint]);
    }

    await worker.stop();
  });

  test('ready reports ipc endpoints as given', async () => {
    //  [PULL in: ipc://TMP/in.sock | streamer | PUSH out: ipc://TMP/out.sock]
    const addresses = addressesFor('ipc');
    const worker = newWorker();
    const inAddress = addresses.bind('in');
    const outAddress = addresses.bind('out');
    const ready = await worker.start(streamer([inAddress], [outAddress]));
    assert.deepEqual(ready.endpoints.in, [inAddress]);
    assert.deepEqual(ready.endpoints.out, [outAddress]);
    await worker.stop();
  });

  test('port in use fails with EADDRINUSE', async () => {
    //  test ROUTER bound to tcp://127.0.0.1:P
    //  [PULL in: * | streamer | PUSH out: tcp://127.0.0.1:P]  --> failed
    const holder = peer(new zmq.Router());
    await holder.bind('tcp://127.0.0.1:*');
    const taken = holder.lastEndpoint!;

    const worker = newWorker();
    worker.send({ type: 'start', device: streamer(['tcp://127.0.0.1:*'], [taken]) });
    const failed = await worker.waitFor('failed');

    assert.equal(failed.code, 'EADDRINUSE');
    assert.equal(failed.role, 'out');
    assert.equal(failed.endpoint, taken);
    assert.match(failed.message, /address already in use/);
    assert.ok(failed.message.includes(`"${taken}"`), failed.message);
    assert.ok(failed.message.includes('"pipeline"'), failed.message);

    const { code } = await worker.exited;
    assert.equal(code, 1);
  });

  test('invalid option value fails with EINVAL', async () => {
    //  [PULL in, rcvhwm -5 | streamer | PUSH out] --> failed
    const worker = newWorker();
    worker.send({ type: 'start', device: streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*'], { rcvhwm: -5 }) });
    const failed = await worker.waitFor('failed');
    assert.equal(failed.code, 'EINVAL');
    assert.equal(failed.role, 'in');
    assert.match(failed.message, /rcvhwm/);
    assert.equal((await worker.exited).code, 1);
  });

  const setupFailures: Array<{
    name: string;
    inSocket: ReturnType<typeof socket>;
    code: string;
    role: 'in';
    endpoint?: string;
    pattern: RegExp;
  }> = [
    {
      name: 'unknown option',
      inSocket: socket('PULL', { bind: ['tcp://127.0.0.1:*'], options: { no_such_option: 1 } }),
      code: 'EINVAL',
      role: 'in',
      pattern: /no_such_option/,
    },
    {
      name: 'option of another socket type',
      inSocket: socket('PULL', { bind: ['tcp://127.0.0.1:*'], options: { router_mandatory: true } }),
      code: 'EINVAL',
      role: 'in',
      pattern: /router_mandatory/,
    },
    {
      name: 'endpoint without port',
      inSocket: socket('PULL', { bind: ['tcp://127.0.0.1'] }),
      code: 'EINVAL',
      role: 'in',
      endpoint: 'tcp://127.0.0.1',
      pattern: /Cannot bind "tcp:\/\/127\.0\.0\.1" for device "pipeline" \(in\)/,
    },
    {
      name: 'unknown transport',
      inSocket: socket('PULL', { bind: ['bogus://x'] }),
      code: 'EPROTONOSUPPORT',
      role: 'in',
      endpoint: 'bogus://x',
      pattern: /bogus:\/\/x/,
    },
    {
      name: 'ipc folder missing',
      inSocket: socket('PULL', { bind: ['ipc:///nonexistent-switchyard-folder/in.sock'] }),
      code: 'ENOENT',
      role: 'in',
      endpoint: 'ipc:///nonexistent-switchyard-folder/in.sock',
      pattern: /nonexistent-switchyard-folder/,
    },
  ];

  for (const failure of setupFailures) {
    test(`start fails: ${failure.name}`, async () => {
      //  [PULL in: the case's options and bind | streamer | PUSH out] --> failed
      const worker = newWorker();
      worker.send({
        type: 'start',
        device: device('pipeline', 'streamer', {
          in: failure.inSocket,
          out: socket('PUSH', { bind: ['tcp://127.0.0.1:*'] }),
        }),
      });
      const failed = await worker.waitFor('failed');
      assert.equal(failed.code, failure.code, failed.message);
      assert.equal(failed.role, failure.role);
      assert.equal(failed.endpoint, failure.endpoint);
      assert.match(failed.message, failure.pattern);
      assert.equal((await worker.exited).code, 1);
    });
  }

  test('stop while a send is blocked', async () => {
    //  PUSH --> [PULL in | streamer | PUSH out] --> (no consumer: the out send waits)
    const worker = newWorker();
    const ready = await worker.start(streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*']));
    const producer = peer(new zmq.Push());
    producer.connect(endpointOf(ready, 'in'));
    await producer.send('stuck');
    await worker.waitForCounters((c) => c.in.receivedMessages === 1);

    const { stopped, code } = await worker.stop();
    assert.equal(stopped.reason, 'stop');
    assert.equal(code, 0);
  });

  test('stop while paused', async () => {
    //  [PULL in | streamer | PUSH out], paused, then stopped
    const worker = newWorker();
    await worker.start(streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*']));
    const since = worker.mark();
    worker.send({ type: 'pause' });
    await worker.waitFor('paused', { since });

    const { stopped, code } = await worker.stop();
    assert.equal(stopped.reason, 'stop');
    assert.equal(code, 0);
  });

  test('failed start never shows a secret', async () => {
    //  [PULL in, curve_secretkey "<not a key>" | streamer | PUSH out] --> failed
    const secret = 'not-a-z85-key-but-still-secret';
    const worker = newWorker();
    worker.send({
      type: 'start',
      device: streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*'], { curve_server: true, curve_secretkey: secret }),
    });
    const failed = await worker.waitFor('failed');
    assert.equal(failed.role, 'in');
    assert.match(failed.message, /curve_secretkey/);
    for (const message of worker.messages) assert.ok(!JSON.stringify(message).includes(secret), JSON.stringify(message));
    await worker.exited;
    assert.ok(!worker.stderr.includes(secret));
  });

  test('stop before start exits 0', async () => {
    //  test --fork--> worker, then stop with no device started
    const worker = newWorker();
    const { stopped, code } = await worker.stop();
    assert.equal(stopped.reason, 'stop');
    assert.equal(code, 0);
  });

  test('invalid message is logged and ignored', async () => {
    //  [PULL in | streamer | PUSH out], sent { type: "launch" } first
    const worker = newWorker();
    worker.send({ type: 'launch', device: 'pipeline' });
    const warning = await worker.waitFor('log', { where: (m) => m.message.includes('invalid message') });
    assert.equal(warning.level, 'warn');

    await worker.start(streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*']));
    await worker.stop();
  });

  test('second start is ignored', async () => {
    //  PUSH --> [PULL in | streamer | PUSH out] --> PULL, then a second start for another device
    const worker = newWorker();
    const ready = await worker.start(streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*']));
    const since = worker.mark();
    worker.send({ type: 'start', device: streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*']) });
    const warning = await worker.waitFor('log', { since, where: (m) => m.message.includes('already started') });
    assert.equal(warning.level, 'warn');

    // The first device still relays.
    const producer = peer(new zmq.Push());
    producer.connect(endpointOf(ready, 'in'));
    const consumer = peer(new zmq.Pull());
    consumer.connect(endpointOf(ready, 'out'));
    await producer.send('still the first');
    assert.deepEqual(await receiveText(consumer), ['still the first']);
    await worker.stop();
  });

  test('counters arrive at least twice a second', async () => {
    //  [PULL in | streamer | PUSH out], idle, sampled by its counters messages
    const worker = newWorker();
    const ready = await worker.start(streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*']));
    assert.ok(ready);
    const since = worker.mark();
    await worker.waitFor('counters', { since, where: () => worker.messages.slice(since).filter((m) => m.type === 'counters').length >= 5 });

    const stamps = worker.messages
      .slice(since)
      .flatMap((message) => (message.type === 'counters' ? [message.counters.at] : []));
    // The worker sends every 250 ms; 750 ms leaves room for a busy machine.
    for (let index = 1; index < stamps.length; index++) {
      assert.ok(stamps[index]! - stamps[index - 1]! <= 750, `gap of ${stamps[index]! - stamps[index - 1]!} ms`);
    }
    await worker.stop();
  });

  test('worker without a parent channel exits 2', async () => {
    //  test --spawn, no IPC--> worker --> exit 2 with a hint on stderr
    const child = spawn(process.execPath, ['--import', 'tsx', WORKER_ENTRY], { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const [code] = (await once(child, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(stderr, /switchyard run/);
  });

  test('worker exits when its parent dies', async () => {
    //  test --spawn--> parent (worker-parent.ts) --fork--> worker [PULL in | streamer | PUSH out]
    //  SIGKILL the parent; the orphaned worker must exit by itself.
    const parentScript = fileURLToPath(new URL('./helpers/worker-parent.ts', import.meta.url));
    const spec = streamer(['tcp://127.0.0.1:*'], ['tcp://127.0.0.1:*']);
    const parent = spawn(process.execPath, ['--import', 'tsx', parentScript, JSON.stringify(spec)], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    otherPids.push(parent.pid!);
    let stdout = '';
    let stderr = '';
    parent.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    parent.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));

    const workerPid = await pollUntil(
      `the stand-in parent to report a ready worker (stderr: ${stderr})`,
      () => {
        const match = /^ready (\d+)$/m.exec(stdout);
        return match ? Number(match[1]) : undefined;
      },
      15_000,
    );
    otherPids.push(workerPid);
    assert.ok(isProcessAlive(workerPid));

    parent.kill('SIGKILL');
    await once(parent, 'exit');
    await pollUntil(`worker ${workerPid} to exit after its parent died`, () => !isProcessAlive(workerPid), 5000);
  });
});
