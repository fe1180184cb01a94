/**
 * The native relay (native/ and app/worker/relay-native.ts) on real sockets:
 * what the shared worker tests do not reach, such as its option numbers,
 * held messages under backpressure, setup errors and the choice under
 * SWITCHYARD_RELAY=auto. Skipped, with the reason, when the addon is not built.
 */
import assert from 'node:assert/strict';
import { fork, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, test } from 'node:test';
import * as zmq from 'zeromq';
import { OPTIONS } from '../../app/core/options.js';
import type { ResolvedDevice, WorkerToEngine } from '../../app/core/worker-protocol.js';
import { RelaySetupError, type RelayEvents, type RelayFactory, type RelayHandle } from '../../app/worker/relay.js';
import { closeAll, probeUntilReceived, receiveFrames, receiveOrNothing, receiveText } from './helpers/sockets.js';
import { device, endpointOf, pollUntil, socket, WorkerUnderTest } from './helpers/worker.js';

let native: { createNativeRelay: RelayFactory; OPTION_NUMBERS: Readonly<Record<string, { number: number }>> } | undefined;
let loadError = '';
try {
  native = await import('../../app/worker/relay-native.js');
} catch (error) {
  loadError = (error as Error).message;
}
const skip = native ? false : `the native relay is not built (${loadError})`;

const peers: zmq.Socket[] = [];
const relays: RelayHandle[] = [];
const workers: WorkerUnderTest[] = [];

function peer<S extends zmq.Socket>(created: S): S {
  peers.push(created);
  return created;
}

/** Relay events recorded in order. */
function recordingEvents(): RelayEvents & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    paused: () => lines.push('paused'),
    resumed: () => lines.push('resumed'),
    log: (level, message) => lines.push(`${level}: ${message}`),
  };
}

async function startRelay(spec: ResolvedDevice, events = recordingEvents()): Promise<RelayHandle> {
  const handle = await native!.createNativeRelay(spec, events);
  relays.push(handle);
  return handle;
}

const folders: string[] = [];
const children: ChildProcess[] = [];

/**
 * Copies app/core and app/worker into a temporary folder that has no native/
 * folder, with a link to this checkout's node_modules, and returns the
 * copy's worker entry: a checkout where the addon was never built.
 */
function workerWithoutAddon(): string {
  const repository = fileURLToPath(new URL('../..', import.meta.url));
  const folder = mkdtempSync(join(tmpdir(), 'switchyard-no-addon-'));
  folders.push(folder);
  for (const part of ['core', 'worker']) cpSync(join(repository, 'app', part), join(folder, 'app', part), { recursive: true });
  symlinkSync(join(repository, 'node_modules'), join(folder, 'node_modules'));
  return join(folder, 'app', 'worker', 'main.ts');
}

after(async () => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
  closeAll(...peers);
  await Promise.all(relays.map((relay) => relay.stop()));
  await Promise.all(workers.map((worker) => worker.dispose()));
});

describe('native relay', { skip }, () => {
  test('option numbers match zmq.h', { skip: existsSync('/usr/include/zmq.h') ? false : '/usr/include/zmq.h is missing' }, () => {
    const header = readFileSync('/usr/include/zmq.h', 'utf8');
    for (const option of OPTIONS) {
      const numbered = native!.OPTION_NUMBERS[option.name];
      assert.ok(numbered, `Option "${option.name}" has no libzmq number, so every device that sets it falls back to the JavaScript relay.`);
      const define = new RegExp(`#define ZMQ_${option.name.toUpperCase()} (\\d+)`).exec(header);
      assert.ok(define, `zmq.h defines no ZMQ_${option.name.toUpperCase()}.`);
      assert.equal(numbered.number, Number(define[1]), `ZMQ_${option.name.toUpperCase()}`);
    }
  });

  test('bytes and subscribe options reach libzmq', async () => {
    //  ROUTER (test) <-- DEALER out, routing_id "relay-out"
    //  XPUB (test, verbose) <-- XSUB in, subscribe ["a", "b"]
    const router = peer(new zmq.Router());
    await router.bind('tcp://127.0.0.1:*');
    const publisher = peer(new zmq.XPublisher({ verbosity: 'allSubs' }));
    await publisher.bind('tcp://127.0.0.1:*');

    await startRelay(
      device('options', 'forwarder', {
        in: socket('XSUB', { connect: [publisher.lastEndpoint!], options: { subscribe: ['a', 'b'] } }),
        out: socket('DEALER', { connect: [router.lastEndpoint!], options: { routing_id: 'relay-out' } }),
      }),
    );

    const subscriptions = [await receiveFrames(publisher), await receiveFrames(publisher)].map((frames) => frames[0]!);
    assert.deepEqual(subscriptions.map((frame) => frame.toString('latin1')).sort(), ['\x01a', '\x01b']);

    await publisher.send('a: hello');
    const [routingId, body] = (await receiveFrames(router)).map(String);
    assert.equal(routingId, 'relay-out');
    assert.equal(body, 'a: hello');
  });

  test('held message waits for a peer', async () => {
    //  DEALER client --> [ROUTER in | queue | DEALER out] <-- DEALER worker, connected late
    const relay = await startRelay(
      device('held', 'queue', {
        in: socket('ROUTER', { bind: ['tcp://127.0.0.1:*'] }),
        out: socket('DEALER', { bind: ['tcp://127.0.0.1:*'] }),
      }),
    );
    const client = peer(new zmq.Dealer({ routingId: 'c1' }));
    client.connect(relay.endpoints.in![0]!);
    for (let index = 0; index < 5; index++) await client.send(['', `job ${index}`]);

    // A DEALER with no peer cannot send, so the relay keeps the first job and
    // reads no more from in until out accepts it. The rest wait in the ROUTER's queue.
    const counters = await pollUntil('the relay received a job', () => relay.counters().in.receivedMessages > 0 && relay.counters());
    assert.equal(counters.in.receivedMessages, 1);
    assert.equal(counters.out.sentMessages, 0);

    const worker = peer(new zmq.Dealer());
    worker.connect(relay.endpoints.out![0]!);
    for (let index = 0; index < 5; index++) {
      assert.deepEqual(await receiveText(worker), ['c1', '', `job ${index}`]);
    }
    assert.equal(relay.counters().out.sentMessages, 5);
  });

  test('monitor that keeps up gets every copy', async () => {
    //  PUSH --> [PULL in | monitored streamer | PUSH out] --> PULL
    //                        |
    //                     PUB mon --> SUB (reads each window before the next is sent)
    const relay = await startRelay(
      device('monitored', 'monitored-queue', {
        in: socket('PULL', { bind: ['tcp://127.0.0.1:*'] }),
        out: socket('PUSH', { bind: ['tcp://127.0.0.1:*'] }),
        mon: socket('PUB', { bind: ['tcp://127.0.0.1:*'] }),
      }),
    );
    const producer = peer(new zmq.Push());
    producer.connect(relay.endpoints.in![0]!);
    const consumer = peer(new zmq.Pull());
    consumer.connect(relay.endpoints.out![0]!);
    const monitor = peer(new zmq.Subscriber());
    monitor.connect(relay.endpoints.mon![0]!);
    monitor.subscribe();

    let probes = 0;
    await probeUntilReceived({
      send: async () => {
        probes++;
        await producer.send(['probe']);
      },
      receiver: monitor,
      isProbe: (frames) => frames[1] === 'probe',
    });
    for (let index = 0; index < probes; index++) assert.deepEqual(await receiveText(consumer), ['probe']);
    while (await receiveOrNothing(monitor, 50)) {
      // Copies of earlier probes.
    }

    // 20 windows of 100 two-frame messages: the monitor never lags more than one window.
    let bytes = probes * 'probe'.length;
    for (let window = 0; window < 20; window++) {
      for (let index = 0; index < 100; index++) {
        await producer.send([`${window}`, `${index}`]);
        bytes += `${window}`.length + `${index}`.length;
      }
      for (let index = 0; index < 100; index++) {
        assert.deepEqual(await receiveText(consumer), [`${window}`, `${index}`]);
        assert.deepEqual(await receiveText(monitor), ['in', `${window}`, `${index}`]);
      }
    }

    const counters = await pollUntil('the counters show 2,000 copies', () => relay.counters().monitorSent >= 2000 + probes && relay.counters());
    assert.equal(counters.monitorDropped, 0);
    assert.equal(counters.in.receivedMessages, 2000 + probes);
    assert.equal(counters.in.receivedBytes, bytes);
    assert.equal(counters.out.sentBytes, bytes);
  });

  test('invalid option value names the option', async () => {
    await assert.rejects(
      startRelay(
        device('bad-option', 'queue', {
          in: socket('ROUTER', { bind: ['tcp://127.0.0.1:*'] }),
          out: socket('DEALER', { bind: ['tcp://127.0.0.1:*'], options: { routing_id: '' } }),
        }),
      ),
      (error: unknown) => {
        assert.ok(error instanceof RelaySetupError);
        assert.equal(error.code, 'EINVAL');
        assert.equal(error.role, 'out');
        assert.match(error.message, /^Cannot set option "routing_id" on device "bad-option" \(out\): invalid argument \(EINVAL\)\./);
        return true;
      },
    );
  });

  test('stop releases the endpoints', async () => {
    const events = recordingEvents();
    const relay = await native!.createNativeRelay(
      device('stopping', 'queue', {
        in: socket('ROUTER', { bind: ['tcp://127.0.0.1:*'] }),
        out: socket('DEALER', { bind: ['tcp://127.0.0.1:*'] }),
      }),
      events,
    );
    await relay.stop();
    assert.equal(await relay.done, 'stop');

    const again = peer(new zmq.Router());
    await again.bind(relay.endpoints.in![0]!);
    assert.equal(again.lastEndpoint, relay.endpoints.in![0]);
  });

  test('pause and resume report each switch', async () => {
    const events = recordingEvents();
    const relay = await startRelay(
      device('steered', 'queue', {
        in: socket('ROUTER', { bind: ['tcp://127.0.0.1:*'] }),
        out: socket('DEALER', { bind: ['tcp://127.0.0.1:*'] }),
      }),
      events,
    );
    relay.pause();
    relay.pause();
    relay.resume();
    await pollUntil('three events', () => events.lines.length >= 3);
    assert.deepEqual(events.lines, ['paused', 'paused', 'resumed']);
  });
});

describe('native relay in a worker', { skip }, () => {
  test('auto chooses the native relay', async () => {
    const worker = new WorkerUnderTest({ SWITCHYARD_RELAY: 'auto' });
    workers.push(worker);
    const ready = await worker.start(
      device('auto', 'queue', {
        in: socket('ROUTER', { bind: ['tcp://127.0.0.1:*'] }),
        out: socket('DEALER', { bind: ['tcp://127.0.0.1:*'] }),
      }),
    );
    assert.equal(ready.relay, 'native');
    assert.match(endpointOf(ready, 'in'), /^tcp:\/\/127\.0\.0\.1:\d+$/);
    assert.equal((await worker.stop()).code, 0);
  });

  test('bind conflict fails with EADDRINUSE', async () => {
    const holder = peer(new zmq.Router());
    await holder.bind('tcp://127.0.0.1:*');
    const takenEndpoint = holder.lastEndpoint!;

    const worker = new WorkerUnderTest({ SWITCHYARD_RELAY: 'native' });
    workers.push(worker);
    worker.send({
      type: 'start',
      device: device('conflict', 'queue', {
        in: socket('ROUTER', { bind: ['tcp://127.0.0.1:*'] }),
        out: socket('DEALER', { bind: [takenEndpoint] }),
      }),
    });
    const failed = await worker.waitFor('failed');
    assert.equal(failed.code, 'EADDRINUSE');
    assert.equal(failed.role, 'out');
    assert.equal(failed.endpoint, takenEndpoint);
    assert.equal(
      failed.message,
      `Cannot bind "${takenEndpoint}" for device "conflict" (out): address already in use. Stop the other process or choose another port.`,
    );
    assert.equal((await worker.exited).code, 1);
  });
});

describe('worker without the addon', () => {
  test('auto falls back to javascript', async () => {
    //  A copy of the worker in a folder without native/: the import of the addon fails.
    const child = fork(workerWithoutAddon(), [], {
      execArgv: ['--import', 'tsx'],
      env: { ...process.env, SWITCHYARD_RELAY: 'auto' },
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(child);
    const messages: WorkerToEngine[] = [];
    child.on('message', (message) => messages.push(message as WorkerToEngine));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

    child.send({
      type: 'start',
      device: device('fallback', 'queue', {
        in: socket('ROUTER', { bind: ['tcp://127.0.0.1:*'] }),
        out: socket('DEALER', { bind: ['tcp://127.0.0.1:*'] }),
      }),
    });
    const ready = await pollUntil('a ready or failed message', () => messages.find((message) => message.type === 'ready' || message.type === 'failed'), 20_000);
    assert.equal(ready.type, 'ready');
    assert.equal(ready.type === 'ready' ? ready.relay : undefined, 'javascript');

    const reasons = messages.flatMap((message) => (message.type === 'log' && message.message.startsWith('The native relay did not load') ? [message.message] : []));
    assert.equal(reasons.length, 1, `Expected one log line saying why the native relay was not used: ${JSON.stringify(messages)}`);
    assert.match(reasons[0]!, /switchyard_relay\.node is not built\. Install libzmq3-dev, g\+\+ and make, then run npm run build:native\./);

    child.send({ type: 'stop' });
    assert.equal(await exited, 0);
  });
});
