/**
 * Runs a script from exportPyzmq under Debian's /usr/bin/python3 (PyZMQ)
 * and sends real traffic through it from zeromq.js peers on loopback.
 *
 *   pusher PUSH --> [stream: PULL 41400 | PUSH 41401] --> puller PULL
 *
 *   client DEALER --> [broker: ROUTER 41402 | DEALER 41403] <--> worker DEALER
 *                       mon PUB 41404 --> monitor SUB
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import * as zmq from 'zeromq';
import { exportPyzmq } from '../../app/core/export-pyzmq.js';
import type { Topology } from '../../app/core/topology.js';
import { isProcessAlive as isAlive } from './helpers/worker.js';

const PYTHON = '/usr/bin/python3';
const IN_PREFIX = 'req\'s "in" \\ ü';
const OUT_PREFIX = 'rep\n';

const topology: Topology = {
  version: 1,
  name: 'pyzmq export "test"',
  devices: [
    {
      id: 'stream',
      kind: 'streamer',
      in: { type: 'PULL', bind: ['tcp://127.0.0.1:41400'], options: { rcvhwm: 500, linger: 0 } },
      out: { type: 'PUSH', bind: ['tcp://127.0.0.1:41401'], options: { sndhwm: 500, linger: 0 } },
    },
    {
      id: 'broker',
      kind: 'monitored-queue',
      in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41402'], options: { router_mandatory: true, linger: 0 } },
      out: { type: 'DEALER', bind: ['tcp://127.0.0.1:41403'], options: { routing_id: 'broker-out', linger: 0 } },
      mon: { type: 'PUB', bind: ['tcp://127.0.0.1:41404'], options: { linger: 0 } },
      prefix: { in: IN_PREFIX, out: OUT_PREFIX },
    },
  ],
};

function pyzmqMissingReason(): string | undefined {
  if (!existsSync(PYTHON)) return `${PYTHON} is not installed`;
  const probe = spawnSync(PYTHON, ['-c', 'import zmq.devices'], { encoding: 'utf8', timeout: 20_000 });
  if (probe.status !== 0) return `"import zmq.devices" fails under ${PYTHON}: ${probe.stderr.trim().split('\n').pop() ?? ''}`;
  return undefined;
}

/** Returns the pids of processes whose parent is `pid`, read from /proc. */
function childPids(pid: number): number[] {
  const children: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === pid) children.push(Number(entry));
    } catch {
      // The process exited while the directory was listed.
    }
  }
  return children;
}

async function waitFor(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function texts(frames: Buffer[]): string[] {
  return frames.map((frame) => frame.toString('utf8'));
}

const sockets: zmq.Socket[] = [];
const scripts: ChildProcess[] = [];
const strayPids = new Set<number>();
const workDirs: string[] = [];

after(() => {
  for (const socket of sockets) socket.close();
  for (const script of scripts) {
    if (script.exitCode === null && script.signalCode === null) script.kill('SIGKILL');
  }
  for (const pid of strayPids) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const dir of workDirs) rmSync(dir, { recursive: true, force: true });
});

function open<S extends zmq.Socket>(socket: S): S {
  socket.linger = 0;
  sockets.push(socket);
  return socket;
}

interface RunningScript {
  output(): string;
  /** Sends SIGTERM, waits for the script and its device processes to exit, and returns the exit code. */
  stop(): Promise<number | null>;
}

/** Exports `document`, runs the script under /usr/bin/python3 and waits until every device process started. */
async function runExport(document: Topology): Promise<RunningScript> {
  const workDir = mkdtempSync(join(tmpdir(), 'switchyard-pyzmq-'));
  workDirs.push(workDir);
  const path = join(workDir, 'topology.py');
  writeFileSync(path, exportPyzmq(document));

  let output = '';
  const child = spawn(PYTHON, [path], { stdio: ['ignore', 'pipe', 'pipe'] });
  scripts.push(child);
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  const count = document.devices.length;
  await waitFor(() => output.includes(`Running ${count} device(s)`) || child.exitCode !== null, 'the script to start its devices');
  assert.match(output, new RegExp(`Running ${count} device\\(s\\)`), output);
  const pid = child.pid as number;
  await waitFor(() => childPids(pid).length >= count, `${count} device processes`);
  const devicePids = childPids(pid);
  for (const devicePid of devicePids) strayPids.add(devicePid);

  return {
    output: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      const code = await exited;
      await waitFor(() => devicePids.every((devicePid) => !isAlive(devicePid)), 'the device processes to exit');
      return code;
    },
  };
}

function skipWithoutPyzmq(t: { skip(message: string): void }): boolean {
  const missing = pyzmqMissingReason();
  if (missing) t.skip(`PyZMQ is not available (${missing}); install Debian's python3-zmq to run this test.`);
  return missing !== undefined;
}

test('pyzmq export: streamer and monitored queue', { timeout: 60_000 }, async (t) => {
  if (skipWithoutPyzmq(t)) return;
  const script = await runExport(topology);
  assert.match(script.output(), /Running 2 device\(s\) of pyzmq export "test"/);

  // Streamer: multipart messages pass through in order. PUSH queues until
  // connected, so nothing is lost while the device process binds.
  const pusher = open(new zmq.Push());
  const puller = open(new zmq.Pull());
  puller.receiveTimeout = 10_000;
  pusher.connect('tcp://127.0.0.1:41400');
  puller.connect('tcp://127.0.0.1:41401');
  for (let i = 0; i < 3; i++) await pusher.send([`part-a ${i}`, Buffer.from([0, 255, i])]);
  for (let i = 0; i < 3; i++) {
    const frames = await puller.receive();
    assert.equal(frames.length, 2);
    assert.equal(frames[0]?.toString(), `part-a ${i}`);
    assert.deepEqual([...(frames[1] as Buffer)], [0, 255, i]);
  }

  // Monitored queue: a PUB drops what it sends before the SUB's subscription
  // arrives, so probes go through until the monitor shows one.
  const monitor = open(new zmq.Subscriber());
  monitor.receiveTimeout = 200;
  monitor.subscribe();
  monitor.connect('tcp://127.0.0.1:41404');
  const client = open(new zmq.Dealer());
  client.receiveTimeout = 10_000;
  client.connect('tcp://127.0.0.1:41402');
  const worker = open(new zmq.Dealer());
  worker.receiveTimeout = 10_000;
  worker.connect('tcp://127.0.0.1:41403');

  let monitorReady = false;
  for (let attempt = 0; attempt < 50 && !monitorReady; attempt++) {
    await client.send(['', `probe ${attempt}`]);
    try {
      await monitor.receive();
      monitorReady = true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
    }
  }
  assert.ok(monitorReady, 'the monitor received no probe copy within 50 attempts');
  monitor.receiveTimeout = 10_000;

  // The ROUTER names the client with a generated binary routing id, so ids
  // are compared as bytes.
  await client.send(['', 'hello']);
  let request: Buffer[];
  do request = await worker.receive();
  while (request.at(-1)?.toString().startsWith('probe'));
  assert.equal(request.length, 3);
  assert.equal(request[1]?.length, 0);
  assert.equal(request[2]?.toString(), 'hello');
  const clientId = request[0] as Buffer;

  await worker.send([clientId, '', 'world']);
  const reply = texts(await client.receive());
  assert.deepEqual(reply, ['', 'world']);

  let copyIn: Buffer[];
  do copyIn = await monitor.receive();
  while (copyIn.at(-1)?.toString().startsWith('probe'));
  assert.deepEqual(copyIn, [Buffer.from(IN_PREFIX), clientId, Buffer.alloc(0), Buffer.from('hello')]);
  const copyOut = await monitor.receive();
  assert.deepEqual(copyOut, [Buffer.from(OUT_PREFIX), clientId, Buffer.alloc(0), Buffer.from('world')]);

  // SIGTERM stops the script, which stops its device processes.
  const code = await script.stop();
  assert.equal(code, 0, script.output());
  assert.doesNotMatch(script.output(), /Traceback/);
});

/**
 *   upstream XPUB 41410 <-- [fan: XSUB subscribe "keep" | PUB 41411] --> downstream SUB
 *
 *   client DEALER "client-1" --> [pair: ROUTER 41412 | ROUTER 41413] --> worker DEALER "worker-1"
 */
const forwardAndSwap: Topology = {
  version: 1,
  name: 'xsub and router pair',
  devices: [
    {
      id: 'fan',
      kind: 'forwarder',
      in: { type: 'XSUB', connect: ['tcp://127.0.0.1:41410'], options: { subscribe: ['keep'], linger: 0 } },
      out: { type: 'PUB', bind: ['tcp://127.0.0.1:41411'], options: { linger: 0 } },
    },
    {
      id: 'pair',
      kind: 'queue',
      in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41412'], options: { linger: 0 } },
      out: { type: 'ROUTER', bind: ['tcp://127.0.0.1:41413'], options: { linger: 0 } },
    },
  ],
};

test('pyzmq export: xsub subscription and router pair', { timeout: 60_000 }, async (t) => {
  if (skipWithoutPyzmq(t)) return;

  // The upstream XPUB binds first so that it receives the XSUB subscription message.
  const upstream = open(new zmq.XPublisher());
  upstream.receiveTimeout = 10_000;
  await upstream.bind('tcp://127.0.0.1:41410');
  const script = await runExport(forwardAndSwap);

  const subscription = await upstream.receive();
  assert.deepEqual(subscription, [Buffer.from('\x01keep')]);

  // The downstream SUB misses what the device's PUB sends before the SUB's
  // own subscription arrives, so probes go out until one comes through.
  const downstream = open(new zmq.Subscriber());
  downstream.receiveTimeout = 200;
  downstream.subscribe();
  downstream.connect('tcp://127.0.0.1:41411');
  let forwarding = false;
  for (let attempt = 0; attempt < 50 && !forwarding; attempt++) {
    await upstream.send(`keep probe ${attempt}`);
    try {
      await downstream.receive();
      forwarding = true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
    }
  }
  assert.ok(forwarding, 'the downstream SUB received no probe within 50 attempts');
  downstream.receiveTimeout = 10_000;

  await upstream.send('drop 1');
  await upstream.send('keep 1');
  let forwarded: string[];
  do forwarded = texts(await downstream.receive());
  while (forwarded[0]?.startsWith('keep probe'));
  assert.deepEqual(forwarded, ['keep 1']);

  // ROUTER to ROUTER: the device swaps the first two frames, so each side
  // addresses the other by routing id. The out ROUTER drops messages to an
  // unknown peer, so probes go out until the worker has connected.
  const client = open(new zmq.Dealer({ routingId: 'client-1' }));
  client.receiveTimeout = 10_000;
  client.connect('tcp://127.0.0.1:41412');
  const worker = open(new zmq.Dealer({ routingId: 'worker-1' }));
  worker.receiveTimeout = 200;
  worker.connect('tcp://127.0.0.1:41413');
  let routed = false;
  for (let attempt = 0; attempt < 50 && !routed; attempt++) {
    await client.send(['worker-1', 'probe']);
    try {
      await worker.receive();
      routed = true;
    } catch (error) {
      if ((error as { code?: string }).code !== 'EAGAIN') throw error;
    }
  }
  assert.ok(routed, 'the worker received no probe within 50 attempts');
  worker.receiveTimeout = 10_000;

  await client.send(['worker-1', 'job']);
  let job: string[];
  do job = texts(await worker.receive());
  while (job[1] === 'probe');
  assert.deepEqual(job, ['client-1', 'job']);

  await worker.send(['client-1', 'done']);
  assert.deepEqual(texts(await client.receive()), ['worker-1', 'done']);

  const code = await script.stop();
  assert.equal(code, 0, script.output());
  assert.doesNotMatch(script.output(), /Traceback/);
});
