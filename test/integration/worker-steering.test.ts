/**
 * Steering a real worker process over tcp and ipc: PAUSE, RESUME, TERMINATE
 * and STATISTICS on a PAIR or REP ctrl socket with the meaning that
 * `zmq_proxy_steerable`'s manual documents (PAUSE stops the flow), and the
 * engine's own `pause`/`resume` messages.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as zmq from 'zeromq';
import type { SocketType } from '../../app/core/topology.js';
import { readStatisticsFrames } from '../../app/worker/steering.js';
import { receiveFrames, receiveOrNothing, receiveText } from './helpers/sockets.js';
import { device, endpointOf, socket, TRANSPORTS, type WorkerUnderTest } from './helpers/worker.js';
import { trackWorkerResources } from './helpers/worker-resources.js';

const { newWorker, addressesFor, peer } = trackWorkerResources();

/** How long a paused device must hold messages back in the tests. */
const HOLD_CHECK_MS = 300;

/** Connects a ctrl peer: a REQ for a REP ctrl socket, a PAIR for a PAIR ctrl socket. */
function ctrlPeer(type: SocketType, endpoint: string): zmq.Request | zmq.Pair {
  const created = type === 'REP' ? peer(new zmq.Request()) : peer(new zmq.Pair());
  created.connect(endpoint);
  return created;
}

/**
 * Sends a ctrl command and waits until the worker acted on it: the REP reply
 * (an empty frame) for REP, or the worker's `paused`/`resumed` message for
 * PAIR, which has no reply.
 */
async function steer(
  worker: WorkerUnderTest,
  ctrl: zmq.Request | zmq.Pair,
  command: 'PAUSE' | 'RESUME',
): Promise<void> {
  const since = worker.mark();
  await ctrl.send(command);
  if (ctrl instanceof zmq.Request) {
    const reply = await receiveFrames(ctrl);
    assert.deepEqual(reply, [Buffer.alloc(0)], `the REP reply to ${command}`);
  }
  await worker.waitFor(command === 'PAUSE' ? 'paused' : 'resumed', { since });
}

async function startStreamer(
  transport: (typeof TRANSPORTS)[number],
  ctrlType: SocketType | undefined,
): Promise<{ worker: WorkerUnderTest; producer: zmq.Push; consumer: zmq.Pull; ctrlEndpoint: string | undefined }> {
  const addresses = addressesFor(transport);
  const worker = newWorker();
  const ready = await worker.start(
    device('pipeline', 'streamer', {
      in: socket('PULL', { bind: [addresses.bind('in')] }),
      out: socket('PUSH', { bind: [addresses.bind('out')] }),
      ...(ctrlType ? { ctrl: socket(ctrlType, { bind: [addresses.bind('ctrl')] }) } : {}),
    }),
  );
  const producer = peer(new zmq.Push());
  producer.connect(endpointOf(ready, 'in'));
  const consumer = peer(new zmq.Pull());
  consumer.connect(endpointOf(ready, 'out'));
  await producer.send('warm-up');
  assert.deepEqual(await receiveText(consumer), ['warm-up']);
  return { worker, producer, consumer, ctrlEndpoint: ctrlType ? endpointOf(ready, 'ctrl') : undefined };
}

/** Sends `count` numbered messages and checks that none arrives while the device is paused. */
async function sendWhilePaused(producer: zmq.Push, consumer: zmq.Pull, count: number): Promise<void> {
  for (let index = 0; index < count; index++) await producer.send(['held', `${index}`]);
  assert.equal(await receiveOrNothing(consumer, HOLD_CHECK_MS), undefined, 'a message passed a paused device');
}

async function expectReleased(consumer: zmq.Pull, count: number): Promise<void> {
  for (let index = 0; index < count; index++) {
    assert.deepEqual(await receiveText(consumer), ['held', `${index}`]);
  }
}

for (const transport of TRANSPORTS) {
  describe(`steering over ${transport}`, () => {
    for (const ctrlType of ['PAIR', 'REP'] as const) {
      test(`${ctrlType} ctrl PAUSE holds, RESUME releases`, async () => {
        //  PUSH --> [PULL in | streamer | PUSH out] --> PULL
        //                      ^
        //  PAIR or REQ --> ctrl
        const { worker, producer, consumer, ctrlEndpoint } = await startStreamer(transport, ctrlType);
        const ctrl = ctrlPeer(ctrlType, ctrlEndpoint!);

        await steer(worker, ctrl, 'PAUSE');
        await sendWhilePaused(producer, consumer, 50);

        await steer(worker, ctrl, 'RESUME');
        await expectReleased(consumer, 50);

        // Pausing twice and resuming once leaves the device running.
        await steer(worker, ctrl, 'PAUSE');
        await steer(worker, ctrl, 'PAUSE');
        await steer(worker, ctrl, 'RESUME');
        await producer.send(['held', '0']);
        await expectReleased(consumer, 1);

        await worker.stop();
      });

      test(`${ctrlType} ctrl STATISTICS`, async () => {
        //  DEALER "c1" --> [ROUTER in | queue | DEALER out] <-- DEALER service
        //                                 ^
        //             PAIR or REQ --> ctrl
        const addresses = addressesFor(transport);
        const worker = newWorker();
        const ready = await worker.start(
          device('queue', 'queue', {
            in: socket('ROUTER', { bind: [addresses.bind('in')] }),
            out: socket('DEALER', { bind: [addresses.bind('out')] }),
            ctrl: socket(ctrlType, { bind: [addresses.bind('ctrl')] }),
          }),
        );
        const client = peer(new zmq.Dealer({ routingId: 'c1' }));
        client.connect(endpointOf(ready, 'in'));
        const service = peer(new zmq.Dealer());
        service.connect(endpointOf(ready, 'out'));
        const ctrl = ctrlPeer(ctrlType, endpointOf(ready, 'ctrl'));

        // Three requests of ["c1", "", "abc"] (5 bytes) and two replies of ["c1", "", "xy"] (4 bytes).
        for (let index = 0; index < 3; index++) await client.send(['', 'abc']);
        for (let index = 0; index < 3; index++) assert.deepEqual(await receiveText(service), ['c1', '', 'abc']);
        for (let index = 0; index < 2; index++) await service.send(['c1', '', 'xy']);
        for (let index = 0; index < 2; index++) assert.deepEqual(await receiveText(client), ['', 'xy']);

        await ctrl.send('STATISTICS');
        const frames = await receiveFrames(ctrl);
        assert.equal(frames.length, 8);
        for (const frame of frames) assert.equal(frame.length, 8);
        const [inReceived, inReceivedBytes, inSent, inSentBytes, outReceived, outReceivedBytes, outSent, outSentBytes] =
          readStatisticsFrames(frames);
        assert.equal(inReceived, 3);
        assert.equal(inReceivedBytes, 15);
        assert.equal(inSent, 2);
        assert.equal(inSentBytes, 8);
        assert.equal(outReceived, 2);
        assert.equal(outReceivedBytes, 8);
        assert.equal(outSent, 3);
        assert.equal(outSentBytes, 15);

        await worker.stop();
      });

      test(`${ctrlType} ctrl TERMINATE`, async () => {
        //  PUSH --> [PULL in | streamer | PUSH out] --> PULL
        //                      ^
        //  PAIR or REQ --> ctrl: TERMINATE
        const { worker, ctrlEndpoint } = await startStreamer(transport, ctrlType);
        const ctrl = ctrlPeer(ctrlType, ctrlEndpoint!);

        const since = worker.mark();
        await ctrl.send('TERMINATE');
        if (ctrl instanceof zmq.Request) assert.deepEqual(await receiveFrames(ctrl), [Buffer.alloc(0)]);

        const stopped = await worker.waitFor('stopped', { since });
        assert.equal(stopped.reason, 'terminate');
        const { code } = await worker.exited;
        assert.equal(code, 0);
      });
    }

    test('REP ctrl unknown command', async () => {
      //  PUSH --> [PULL in | streamer | PUSH out] --> PULL
      //                      ^
      //         REQ peer --> REP ctrl: "HALT"
      const { worker, producer, consumer, ctrlEndpoint } = await startStreamer(transport, 'REP');
      const ctrl = ctrlPeer('REP', ctrlEndpoint!);

      const since = worker.mark();
      await ctrl.send('HALT');
      assert.deepEqual(await receiveFrames(ctrl), [Buffer.alloc(0)], 'REP replies so the peer is not stuck');
      const warning = await worker.waitFor('log', { since, where: (m) => /unknown ctrl command/i.test(m.message) });
      assert.equal(warning.level, 'warn');

      await producer.send('still flowing');
      assert.deepEqual(await receiveText(consumer), ['still flowing']);

      await worker.stop();
    });

    test('engine pause and resume', async () => {
      //  PUSH --> [PULL in | streamer | PUSH out] --> PULL
      //  steered by the worker protocol's pause and resume messages
      const { worker, producer, consumer } = await startStreamer(transport, undefined);

      let since = worker.mark();
      worker.send({ type: 'pause' });
      await worker.waitFor('paused', { since });
      await sendWhilePaused(producer, consumer, 20);

      since = worker.mark();
      worker.send({ type: 'resume' });
      await worker.waitFor('resumed', { since });
      await expectReleased(consumer, 20);

      await worker.stop();
    });
  });
}
