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

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
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
const strayPids = new Set<number>();
let script: ChildProcess | undefined;
let workDir: string | undefined;

after(() => {
  for (const socket of sockets) socket.close();
  if (script?.pid !== undefined && script.exitCode === null && script.signalCode === null) script.kill('SIGKILL');
  for (const pid of strayPids) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

function open<S extends zmq.Socket>(socket: S): S {
  socket.linger = 0;
  sockets.push(socket);
  return socket;
}

test('pyzmq export: streamer and monitored queue', { timeout: 60_000 }, async (t) => {
  const missing = pyzmqMissingReason();
  if (missing) {
    t.skip(`PyZMQ is not available (${missing}); install Debian's python3-zmq to run this test.`);
    return;
  }

  workDir = mkdtempSync(join(tmpdir(), 'switchyard-pyzmq-'));
  const path = join(workDir, 'topology.py');
  writeFileSync(path, exportPyzmq(topology));

  let output = '';
  const child = spawn(PYTHON, [path], { stdio: ['ignore', 'pipe', 'pipe'] });
  script = child;
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  await waitFor(() => output.includes('Running 2 device(s)') || child.exitCode !== null, 'the script to start its devices');
  assert.match(output, /Running 2 device\(s\) of pyzmq export "test"/, output);
  const pid = child.pid as number;
  await waitFor(() => childPids(pid).length >= 2, 'two device processes');
  const devicePids = childPids(pid);
  for (const devicePid of devicePids) strayPids.add(devicePid);

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
  child.kill('SIGTERM');
  const code = await exited;
  assert.equal(code, 0, output);
  assert.doesNotMatch(output, /Traceback/, output);
  await waitFor(() => devicePids.every((devicePid) => !isAlive(devicePid)), 'the device processes to exit');
});
