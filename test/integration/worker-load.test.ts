/**
 * A real worker process under bounded load, over tcp and ipc: multipart
 * messages from several peers at once arrive whole and in order, and a slow
 * monitor subscriber never stalls the data path but shows up as dropped
 * monitor copies.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as zmq from 'zeromq';
import { probeUntilReceived, receiveFrames, receiveText } from './helpers/sockets.js';
import { device, endpointOf, socket, TRANSPORTS } from './helpers/worker.js';
import { trackWorkerResources } from './helpers/worker-resources.js';

const { newWorker, addressesFor, peer } = trackWorkerResources();

const CLIENTS = 4;
const MESSAGES_PER_CLIENT = 5000;
/** Receive deadline for one message while the load runs. */
const LOAD_RECEIVE_TIMEOUT_MS = 20_000;

/**
 * Builds the frames of request `sequence` from `client`: 2 to 5 frames, each naming
 * the client, the sequence and its own position, so a frame from another
 * message or a lost frame shows in the check.
 */
function requestFrames(client: number, sequence: number): string[] {
  const frameCount = 2 + (sequence % 4);
  return Array.from({ length: frameCount }, (_, position) => `c${client}:${sequence}:${position}:${'.'.repeat(sequence % 17)}`);
}

for (const transport of TRANSPORTS) {
  describe(`load over ${transport}`, () => {
    test('multipart messages stay whole', async () => {
      //  4 DEALER clients --> [ROUTER in | monitored queue | DEALER out] <-- DEALER echo service
      //                                     |
      //                                  PUB mon --> SUB monitor (checks every copy it gets)
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('broker', 'monitored-queue', {
          in: socket('ROUTER', { bind: [addresses.bind('in')] }),
          out: socket('DEALER', { bind: [addresses.bind('out')] }),
          mon: socket('PUB', { bind: [addresses.bind('mon')] }),
        }),
      );

      const service = peer(new zmq.Dealer());
      service.connect(endpointOf(ready, 'out'));
      const monitor = peer(new zmq.Subscriber());
      monitor.connect(endpointOf(ready, 'mon'));
      monitor.subscribe();
      const clients = Array.from({ length: CLIENTS }, (_, index) => {
        const client = peer(new zmq.Dealer({ routingId: `c${index}` }));
        client.connect(endpointOf(ready, 'in'));
        return client;
      });
      const total = CLIENTS * MESSAGES_PER_CLIENT;

      // The echo service returns each request unchanged, envelope included.
      const echoing = (async () => {
        for (let count = 0; count < total; count++) {
          const frames = await receiveFrames(service, LOAD_RECEIVE_TIMEOUT_MS);
          await service.send(frames);
        }
      })();

      // Every monitor copy that arrives must be a whole message behind its prefix.
      let monitorCopies = 0;
      let monitorDone = false;
      const watching = (async () => {
        monitor.receiveTimeout = 200;
        while (!monitorDone) {
          let frames: Buffer[];
          try {
            frames = await monitor.receive();
          } catch {
            continue;
          }
          const text = frames.map((frame) => frame.toString());
          const [prefix, routingId, ...body] = text;
          assert.ok(prefix === 'in' || prefix === 'out', `monitor prefix ${prefix}`);
          const match = /^c(\d+):(\d+):0:/.exec(body[0] ?? '');
          assert.ok(match, `monitor body ${JSON.stringify(text)}`);
          assert.equal(routingId, `c${match[1]}`);
          assert.deepEqual(body, requestFrames(Number(match[1]), Number(match[2])));
          monitorCopies++;
        }
      })();

      const clientRuns = clients.map(async (client, clientIndex) => {
        const sending = (async () => {
          for (let sequence = 0; sequence < MESSAGES_PER_CLIENT; sequence++) {
            await client.send(requestFrames(clientIndex, sequence));
          }
        })();
        for (let sequence = 0; sequence < MESSAGES_PER_CLIENT; sequence++) {
          const reply = await receiveText(client, LOAD_RECEIVE_TIMEOUT_MS);
          assert.deepEqual(reply, requestFrames(clientIndex, sequence), `reply ${sequence} to client ${clientIndex}`);
        }
        await sending;
      });

      // Failures surface at the awaits below; these handlers only keep an
      // early one from counting as an unhandled rejection meanwhile.
      for (const run of [echoing, watching, ...clientRuns]) run.catch(() => undefined);

      await Promise.all(clientRuns);
      await echoing;
      monitorDone = true;
      await watching;

      const counters = await worker.waitForCounters((c) => c.in.sentMessages === total);
      assert.equal(counters.in.receivedMessages, total);
      assert.equal(counters.out.sentMessages, total);
      assert.equal(counters.out.receivedMessages, total);
      assert.equal(counters.monitorSent + counters.monitorDropped, 2 * total);
      assert.ok(monitorCopies <= counters.monitorSent);

      await worker.stop();
    });

    test('slow monitor drops, data flows', async () => {
      //  PUSH --> [PULL in | monitored streamer | PUSH out] --> PULL (reads everything)
      //                       |
      //                    PUB mon, sndhwm 1 --> SUB, rcvhwm 1 (stops reading after the probe)
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('pipeline', 'monitored-queue', {
          in: socket('PULL', { bind: [addresses.bind('in')] }),
          out: socket('PUSH', { bind: [addresses.bind('out')] }),
          mon: socket('PUB', { bind: [addresses.bind('mon')], options: { sndhwm: 1, sndbuf: 4096 } }),
        }),
      );

      const producer = peer(new zmq.Push());
      producer.connect(endpointOf(ready, 'in'));
      const consumer = peer(new zmq.Pull());
      consumer.connect(endpointOf(ready, 'out'));
      const monitor = peer(new zmq.Subscriber({ receiveHighWaterMark: 1, receiveBufferSize: 4096 }));
      monitor.connect(endpointOf(ready, 'mon'));
      monitor.subscribe();

      let probes = 0;
      await probeUntilReceived({
        send: async () => {
          probes++;
          await producer.send('probe');
        },
        receiver: monitor,
        isProbe: (frames) => frames[1] === 'probe',
      });
      for (let index = 0; index < probes; index++) assert.deepEqual(await receiveText(consumer), ['probe']);

      // 2,000 messages of 10 KiB: far more than the monitor's queues and socket buffers hold.
      const count = 2000;
      const payload = Buffer.alloc(10 * 1024, 7);
      const sending = (async () => {
        for (let index = 0; index < count; index++) await producer.send([`${index}`, payload]);
      })();
      sending.catch(() => undefined);
      for (let index = 0; index < count; index++) {
        const frames = await receiveFrames(consumer, LOAD_RECEIVE_TIMEOUT_MS);
        assert.equal(frames[0]?.toString(), `${index}`);
        assert.equal(frames[1]?.length, payload.length);
      }
      await sending;

      const counters = await worker.waitForCounters((c) => c.out.sentMessages === count + probes);
      assert.ok(
        counters.monitorDropped > 0,
        `monitorDropped is 0 after ${count} large messages to a stalled monitor: the relay must count the copies ` +
          'it could not queue, and a PUB monitor reports them only with ZMQ_XPUB_NODROP set.',
      );
      assert.equal(counters.monitorSent + counters.monitorDropped, count + probes);

      await worker.stop();
    });
  });
}
