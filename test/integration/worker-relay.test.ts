/**
 * Each device kind relays through a real worker process, over tcp and ipc:
 * queue, forwarder (XSUB/XPUB and SUB/PUB) and streamer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as zmq from 'zeromq';
import { probeUntilReceived, receiveFrames, receiveText } from './helpers/sockets.js';
import { device, endpointOf, socket, TRANSPORTS } from './helpers/worker.js';
import { trackWorkerResources } from './helpers/worker-resources.js';

const { newWorker, addressesFor, peer } = trackWorkerResources();

for (const transport of TRANSPORTS) {
  describe(`relay over ${transport}`, () => {
    test('queue with REQ and REP', async () => {
      //  REQ client --> [ROUTER in | queue | DEALER out] <-- REP worker
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('queue', 'queue', {
          in: socket('ROUTER', { bind: [addresses.bind('in')] }),
          out: socket('DEALER', { bind: [addresses.bind('out')] }),
        }),
      );

      const client = peer(new zmq.Request());
      client.connect(endpointOf(ready, 'in'));
      const service = peer(new zmq.Reply());
      service.connect(endpointOf(ready, 'out'));

      for (let index = 0; index < 10; index++) {
        await client.send(`hello ${index}`);
        assert.deepEqual(await receiveText(service), [`hello ${index}`]);
        await service.send(`world ${index}`);
        assert.deepEqual(await receiveText(client), [`world ${index}`]);
      }

      const counters = await worker.waitForCounters((c) => c.in.sentMessages === 10);
      assert.equal(counters.in.receivedMessages, 10);
      assert.equal(counters.out.sentMessages, 10);
      assert.equal(counters.out.receivedMessages, 10);

      const { stopped, code } = await worker.stop();
      assert.equal(stopped.reason, 'stop');
      assert.equal(code, 0);
    });

    test('queue with DEALER peers', async () => {
      //  DEALER client "c1" --> [ROUTER in | queue | DEALER out] <-- DEALER worker
      //  The worker receives the client's routing id and echoes the envelope back.
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('queue', 'queue', {
          in: socket('ROUTER', { bind: [addresses.bind('in')] }),
          out: socket('DEALER', { bind: [addresses.bind('out')] }),
        }),
      );

      const client = peer(new zmq.Dealer({ routingId: 'c1' }));
      client.connect(endpointOf(ready, 'in'));
      const service = peer(new zmq.Dealer());
      service.connect(endpointOf(ready, 'out'));

      await client.send(['', 'a', 'b']);
      const request = await receiveText(service);
      assert.deepEqual(request, ['c1', '', 'a', 'b']);

      await service.send(['c1', '', 'reply']);
      assert.deepEqual(await receiveText(client), ['', 'reply']);

      await worker.stop();
    });

    test('forwarder XSUB/XPUB forwards subscriptions', async () => {
      //  XPUB publisher --> [XSUB in | forwarder | XPUB out] <-- SUB "weather"
      //  The publisher is an XPUB so it can see the subscription arrive upstream.
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('forwarder', 'forwarder', {
          in: socket('XSUB', { bind: [addresses.bind('in')] }),
          out: socket('XPUB', { bind: [addresses.bind('out')] }),
        }),
      );

      const publisher = peer(new zmq.XPublisher());
      publisher.connect(endpointOf(ready, 'in'));
      const subscriber = peer(new zmq.Subscriber());
      subscriber.connect(endpointOf(ready, 'out'));
      subscriber.subscribe('weather');

      const subscription = await receiveFrames(publisher);
      assert.equal(subscription.length, 1);
      assert.deepEqual(subscription[0], Buffer.concat([Buffer.of(1), Buffer.from('weather')]));

      for (let index = 0; index < 5; index++) {
        await publisher.send(['sports', `${index}`]);
        await publisher.send(['weather', `${index}`]);
      }
      for (let index = 0; index < 5; index++) {
        assert.deepEqual(await receiveText(subscriber), ['weather', `${index}`]);
      }

      // XPUB filters by subscription, so only the weather messages reached the device.
      const counters = await worker.waitForCounters((c) => c.out.sentMessages === 5);
      assert.equal(counters.in.receivedMessages, 5);
      assert.equal(counters.out.receivedMessages, 1, 'the subscription message');
      assert.equal(counters.in.sentMessages, 1, 'the subscription message');

      await worker.stop();
    });

    test('forwarder SUB/PUB with subscribe option', async () => {
      //  PUB publisher --> [SUB in, subscribe "weather" | forwarder | PUB out] --> SUB ""
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('forwarder', 'forwarder', {
          in: socket('SUB', { bind: [addresses.bind('in')], options: { subscribe: ['weather'] } }),
          out: socket('PUB', { bind: [addresses.bind('out')] }),
        }),
      );

      const publisher = peer(new zmq.Publisher());
      publisher.connect(endpointOf(ready, 'in'));
      const subscriber = peer(new zmq.Subscriber());
      subscriber.connect(endpointOf(ready, 'out'));
      subscriber.subscribe();

      await probeUntilReceived({
        send: () => publisher.send(['weather', 'probe']),
        receiver: subscriber,
        isProbe: (frames) => frames[1] === 'probe',
      });

      for (let index = 0; index < 5; index++) {
        await publisher.send(['sports', `${index}`]);
        await publisher.send(['weather', `${index}`]);
      }
      await publisher.send(['weather', 'end']);

      // Messages keep their order on one connection, so everything before "end" was filtered or delivered.
      const received: string[][] = [];
      for (;;) {
        const frames = await receiveText(subscriber);
        if (frames[1] === 'probe') continue;
        received.push(frames);
        if (frames[1] === 'end') break;
      }
      assert.deepEqual(received, [
        ['weather', '0'],
        ['weather', '1'],
        ['weather', '2'],
        ['weather', '3'],
        ['weather', '4'],
        ['weather', 'end'],
      ]);

      await worker.stop();
    });

    test('forwarder XSUB with subscribe option', async () => {
      //  XPUB publisher --> [XSUB in, subscribe "a" and "b" | forwarder | PUB out]
      //  The XSUB sends its subscriptions upstream when the publisher connects.
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('forwarder', 'forwarder', {
          in: socket('XSUB', { bind: [addresses.bind('in')], options: { subscribe: ['a', 'b'] } }),
          out: socket('PUB', { bind: [addresses.bind('out')] }),
        }),
      );

      const publisher = peer(new zmq.XPublisher());
      publisher.connect(endpointOf(ready, 'in'));
      const subscriptions = [await receiveFrames(publisher), await receiveFrames(publisher)];
      assert.deepEqual(
        subscriptions.map((frames) => frames[0]?.toString('latin1')).sort(),
        ['\x01a', '\x01b'],
      );

      await worker.stop();
    });

    test('router_mandatory counts unroutable', async () => {
      //  DEALER "client" --> [ROUTER in | queue | ROUTER out, router_mandatory] <-- DEALER "service"
      //  A message for an unknown routing id is counted and the relay goes on.
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('switch', 'queue', {
          in: socket('ROUTER', { bind: [addresses.bind('in')] }),
          out: socket('ROUTER', { bind: [addresses.bind('out')], options: { router_mandatory: true } }),
        }),
      );

      const client = peer(new zmq.Dealer({ routingId: 'client' }));
      client.connect(endpointOf(ready, 'in'));
      const service = peer(new zmq.Dealer({ routingId: 'service' }));
      service.connect(endpointOf(ready, 'out'));

      // Each probe is either delivered or counted as unroutable until the service is known.
      await probeUntilReceived({
        send: () => client.send(['service', 'probe']),
        receiver: service,
        isProbe: (frames) => frames[1] === 'probe',
      });
      // A sample taken after a probe arrived includes every earlier probe, delivered or not.
      const before = await worker.waitForCounters(() => true, { since: worker.mark() });

      await client.send(['nobody', 'lost']);
      await client.send(['service', 'after']);
      for (;;) {
        const frames = await receiveText(service);
        if (frames[1] === 'probe') continue;
        assert.deepEqual(frames, ['client', 'after']);
        break;
      }

      const counters = await worker.waitForCounters((c) => c.unroutable > before.unroutable);
      assert.equal(counters.unroutable, before.unroutable + 1);

      await worker.stop();
    });

    test('streamer PULL/PUSH', async () => {
      //  PUSH producer --> [PULL in | streamer | PUSH out] --> PULL consumer
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('streamer', 'streamer', {
          in: socket('PULL', { bind: [addresses.bind('in')] }),
          out: socket('PUSH', { bind: [addresses.bind('out')] }),
        }),
      );

      const producer = peer(new zmq.Push());
      producer.connect(endpointOf(ready, 'in'));
      const consumer = peer(new zmq.Pull());
      consumer.connect(endpointOf(ready, 'out'));

      const count = 200;
      const sending = (async () => {
        for (let index = 0; index < count; index++) await producer.send(['task', `${index}`, 'x'.repeat(index)]);
      })();
      for (let index = 0; index < count; index++) {
        assert.deepEqual(await receiveText(consumer), ['task', `${index}`, 'x'.repeat(index)]);
      }
      await sending;

      const counters = await worker.waitForCounters((c) => c.out.sentMessages === count);
      assert.equal(counters.in.receivedMessages, count);
      const expectedBytes = Array.from({ length: count }, (_, index) => 4 + `${index}`.length + index).reduce((a, b) => a + b, 0);
      assert.equal(counters.in.receivedBytes, expectedBytes);
      assert.equal(counters.out.sentBytes, expectedBytes);

      await worker.stop();
    });
  });
}
