/**
 * Monitor taps shared by several clients of the web host: the engine keeps
 * one tap per device, and it must stay open until the last client that
 * subscribed to it unsubscribes or disconnects.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import * as zmq from 'zeromq';
import type { DeviceState, MonitorBatch } from '../../app/core/contract.js';
import type { Topology } from '../../app/core/topology.js';
import { startWebHost, type WebHost } from '../../app/cli/serve.js';
import { Engine } from '../../app/engine/engine.js';
import { ChildProcessHost } from '../../app/engine/host.js';
import { closeAll, receiveText } from './helpers/sockets.js';
import { pollUntil } from './helpers/worker.js';
import { ContractClient } from './web-host-client.js';

/** How long a client waits for a monitor copy of one message. */
const MONITOR_TIMEOUT_MS = 10_000;
/** Interval between two sends of the same message while no monitor copy arrived. */
const RESEND_MS = 500;

let engine: Engine;
let webHost: WebHost;
let rendererDirectory: string;
const hostLog: string[] = [];
const clients: ContractClient[] = [];
const peers: zmq.Socket[] = [];
let nextRequestId = 1;

before(async () => {
  rendererDirectory = await mkdtemp(join(tmpdir(), 'switchyard-web-monitor-'));
  await writeFile(join(rendererDirectory, 'index.html'), '<!doctype html><title>test page</title>');
  engine = new Engine({ host: new ChildProcessHost() });
  webHost = await startWebHost({
    engine,
    rendererDirectory,
    host: '127.0.0.1',
    port: 0,
    log: (level, message) => hostLog.push(`[${level}] ${message}`),
  });
});

after(async () => {
  closeAll(...peers);
  await Promise.all(clients.map((client) => (client.socket.readyState === client.socket.OPEN ? client.close() : undefined)));
  await webHost.close();
  await engine.close();
  await rm(rendererDirectory, { recursive: true, force: true });
});

async function openClient(): Promise<ContractClient> {
  const client = await ContractClient.open(`ws://127.0.0.1:${webHost.port}/ws?token=${webHost.token}`, webHost.origin);
  clients.push(client);
  return client;
}

/** Sends a request and returns its result, failing when the response is an error. */
async function request(client: ContractClient, command: string, payload: unknown): Promise<unknown> {
  const id = nextRequestId++;
  client.send({ type: 'request', id, command, payload });
  return client.result(id);
}

/** Returns the monitor messages a client has received for `device`, as text frames. */
function monitoredFrames(client: ContractClient, device: string): string[][] {
  return client.messages.flatMap((message) => {
    if (message.type !== 'event' || message.event !== 'monitor:batch') return [];
    const batch = message.payload as MonitorBatch;
    if (batch.device !== device) return [];
    return batch.messages.map((copy) => copy.frames.map((frame) => Buffer.from(frame, 'base64').toString()));
  });
}

/**
 * Sends `text` through the device, again every `RESEND_MS` because the tap
 * may still be joining the monitor socket, until `client` has a monitor copy
 * of it. Fails after `MONITOR_TIMEOUT_MS`.
 */
async function sendUntilMonitored(client: ContractClient, producer: zmq.Dealer, consumer: zmq.Dealer, text: string): Promise<void> {
  const deadline = Date.now() + MONITOR_TIMEOUT_MS;
  const seen = (): boolean => monitoredFrames(client, 'broker').some((frames) => frames.includes(text));
  while (Date.now() < deadline) {
    await producer.send(['', text]);
    assert.deepEqual((await receiveText(consumer)).slice(-1), [text]);
    const arrived = await pollUntil(`a monitor copy of "${text}"`, seen, RESEND_MS).catch(() => false);
    if (arrived) return;
  }
  assert.fail(`No monitor copy of "${text}" reached the client within ${MONITOR_TIMEOUT_MS} ms. Host log: ${hostLog.join(' | ')}`);
}

test('tap outlives one of two clients', async () => {
  //  DEALER producer --> [ROUTER in | monitored queue | DEALER out] --> DEALER consumer
  //                                     |
  //                                  PUB mon --> engine tap --> WebSocket clients first and second
  const first = await openClient();
  const second = await openClient();
  const topology: Topology = {
    version: 1,
    name: 'shared-tap',
    devices: [
      {
        id: 'broker',
        kind: 'monitored-queue',
        in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:*'] },
        out: { type: 'DEALER', bind: ['tcp://127.0.0.1:*'] },
        mon: { type: 'PUB', bind: ['tcp://127.0.0.1:*'] },
      },
    ],
  };
  await request(first, 'document:replace', { document: topology });
  await request(first, 'device:start', { ids: ['broker'] });
  const running = await first.waitFor(
    (message) => message.type === 'event' && message.event === 'device:state' && (message.payload as { state: DeviceState }).state.state === 'running',
    'the broker running',
  );
  const state = (running.type === 'event' ? running.payload : undefined) as { state: Extract<DeviceState, { state: 'running' }> };
  const inEndpoint = state.state.endpoints.in?.[0];
  const outEndpoint = state.state.endpoints.out?.[0];
  assert.ok(inEndpoint, `running state without an in endpoint: ${JSON.stringify(state)}`);
  assert.ok(outEndpoint, `running state without an out endpoint: ${JSON.stringify(state)}`);

  const producer = new zmq.Dealer({ routingId: 'producer' });
  peers.push(producer);
  producer.connect(inEndpoint);
  const consumer = new zmq.Dealer();
  peers.push(consumer);
  consumer.connect(outEndpoint);

  await request(first, 'monitor:subscribe', { device: 'broker' });
  await request(second, 'monitor:subscribe', { device: 'broker' });
  await sendUntilMonitored(first, producer, consumer, 'both subscribed');
  await sendUntilMonitored(second, producer, consumer, 'both subscribed');

  // An explicit unsubscribe by one client leaves the other client's tap open.
  await request(first, 'monitor:unsubscribe', { device: 'broker' });
  await sendUntilMonitored(second, producer, consumer, 'after first unsubscribed');

  // So does a disconnect of a client that subscribed again.
  await request(first, 'monitor:subscribe', { device: 'broker' });
  await first.close();
  await pollUntil('the host to see the first client disconnect', () => hostLog.some((line) => /\[client \d+\] disconnected/.test(line)));
  await sendUntilMonitored(second, producer, consumer, 'after first disconnected');

  await request(second, 'device:stop', { ids: ['broker'] });
});
