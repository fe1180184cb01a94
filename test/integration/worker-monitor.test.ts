/**
 * Monitor copies and ROUTER-ROUTER routing through a real worker process,
 * over tcp and ipc: the exact frames with `in` and `out` prefixes in both
 * directions, custom prefixes, and the swap of the first two frames between
 * two ROUTER sockets.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import * as zmq from 'zeromq';
import { probeUntilReceived, receiveText } from './helpers/sockets.js';
import { device, endpointOf, socket, TRANSPORTS } from './helpers/worker.js';
import { trackWorkerResources } from './helpers/worker-resources.js';

const { newWorker, addressesFor, peer } = trackWorkerResources();

/** Receives monitor messages until one is not a probe copy (a frame "probe" anywhere). */
async function nextMonitorMessage(monitor: zmq.Subscriber): Promise<string[]> {
  for (;;) {
    const frames = await receiveText(monitor);
    if (!frames.includes('probe')) return frames;
  }
}

/** Receives messages until one is not a probe (a frame "probe" anywhere). */
async function nextNonProbe(receiver: zmq.Dealer): Promise<string[]> {
  for (;;) {
    const frames = await receiveText(receiver);
    if (!frames.includes('probe')) return frames;
  }
}

for (const transport of TRANSPORTS) {
  describe(`monitor over ${transport}`, () => {
    for (const prefix of [undefined, { in: 'request>', out: 'reply<' }]) {
      const name = prefix ? 'custom prefixes' : 'default prefixes';

      test(`monitored queue, ${name}`, async () => {
        //  DEALER client "c1" --> [ROUTER in | monitored queue | DEALER out] <-- DEALER service
        //                                      |
        //                                   PUB mon --> SUB monitor
        const addresses = addressesFor(transport);
        const worker = newWorker();
        const ready = await worker.start(
          device(
            'broker',
            'monitored-queue',
            {
              in: socket('ROUTER', { bind: [addresses.bind('in')] }),
              out: socket('DEALER', { bind: [addresses.bind('out')] }),
              mon: socket('PUB', { bind: [addresses.bind('mon')] }),
            },
            prefix,
          ),
        );
        const inPrefix = prefix?.in ?? 'in';
        const outPrefix = prefix?.out ?? 'out';

        const client = peer(new zmq.Dealer({ routingId: 'c1' }));
        client.connect(endpointOf(ready, 'in'));
        const service = peer(new zmq.Dealer());
        service.connect(endpointOf(ready, 'out'));
        const monitor = peer(new zmq.Subscriber());
        monitor.connect(endpointOf(ready, 'mon'));
        monitor.subscribe();

        // Probes until the monitor's subscription reached the device's PUB.
        await probeUntilReceived({
          send: () => client.send(['', 'probe']),
          receiver: monitor,
          isProbe: (frames) => frames.includes('probe'),
        });

        await client.send(['', 'hello', 'world']);
        assert.deepEqual(await nextNonProbe(service), ['c1', '', 'hello', 'world']);
        assert.deepEqual(await nextMonitorMessage(monitor), [inPrefix, 'c1', '', 'hello', 'world']);

        await service.send(['c1', '', 'reply']);
        assert.deepEqual(await nextNonProbe(client), ['', 'reply']);
        assert.deepEqual(await nextMonitorMessage(monitor), [outPrefix, 'c1', '', 'reply']);

        const counters = await worker.waitForCounters((c) => c.in.sentMessages >= 1);
        assert.equal(counters.monitorDropped, 0);
        assert.equal(counters.monitorSent, counters.in.sentMessages + counters.out.sentMessages);

        await worker.stop();
        // zeromq.js prints this warning when a socket option is set after a bind or connect.
        assert.doesNotMatch(worker.stderr, /will not take effect/);
      });
    }

    test('ROUTER-ROUTER swaps routing ids', async () => {
      //  DEALER "client" --> [ROUTER in | monitored queue | ROUTER out] <-- DEALER "service"
      //                                    |
      //                                 PUB mon --> SUB monitor
      //  The client addresses the service by its routing id and vice versa.
      const addresses = addressesFor(transport);
      const worker = newWorker();
      const ready = await worker.start(
        device('switch', 'monitored-queue', {
          in: socket('ROUTER', { bind: [addresses.bind('in')] }),
          out: socket('ROUTER', { bind: [addresses.bind('out')] }),
          mon: socket('PUB', { bind: [addresses.bind('mon')] }),
        }),
      );

      const client = peer(new zmq.Dealer({ routingId: 'client' }));
      client.connect(endpointOf(ready, 'in'));
      const service = peer(new zmq.Dealer({ routingId: 'service' }));
      service.connect(endpointOf(ready, 'out'));
      const monitor = peer(new zmq.Subscriber());
      monitor.connect(endpointOf(ready, 'mon'));
      monitor.subscribe();

      // A ROUTER drops messages for peers it has not met yet, so probe both
      // ways until each side and the monitor are reached.
      await probeUntilReceived({
        send: () => client.send(['service', 'probe']),
        receiver: service,
        isProbe: (frames) => frames[1] === 'probe',
      });
      await probeUntilReceived({
        send: () => service.send(['client', 'probe']),
        receiver: client,
        isProbe: (frames) => frames[1] === 'probe',
      });
      await probeUntilReceived({
        send: () => client.send(['service', 'probe']),
        receiver: monitor,
        isProbe: (frames) => frames.includes('probe'),
      });

      // Three frames at the in ROUTER: [client, service, hello].
      await client.send(['service', 'hello']);
      assert.deepEqual(await nextNonProbe(service), ['client', 'hello']);
      assert.deepEqual(await nextMonitorMessage(monitor), ['in', 'service', 'client', 'hello']);

      // Two frames at the in ROUTER: [client, service].
      await client.send(['service']);
      assert.deepEqual(await nextNonProbe(service), ['client']);
      assert.deepEqual(await nextMonitorMessage(monitor), ['in', 'service', 'client']);

      // More frames, with an empty delimiter, from out to in.
      await service.send(['client', '', 'a', 'b', 'c']);
      assert.deepEqual(await nextNonProbe(client), ['service', '', 'a', 'b', 'c']);
      assert.deepEqual(await nextMonitorMessage(monitor), ['out', 'client', 'service', '', 'a', 'b', 'c']);

      // Two frames at the out ROUTER: [service, client].
      await service.send(['client']);
      assert.deepEqual(await nextNonProbe(client), ['service']);
      assert.deepEqual(await nextMonitorMessage(monitor), ['out', 'client', 'service']);

      await worker.stop();
    });
  });
}
