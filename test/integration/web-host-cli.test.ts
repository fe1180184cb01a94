/**
 * `switchyard serve` as a process: it opens the given file, runs devices
 * over its WebSocket, and on SIGINT stops them and exits 0.
 *
 *   test --ws--> switchyard serve FILE --fork--> worker "pipeline" (PULL 44201 -> PUSH 44202)
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { after, before, test } from 'node:test';
import type { DeviceState } from '../../app/core/contract.js';
import type { Topology } from '../../app/core/topology.js';
import { ContractClient } from './web-host-client.js';
import { isProcessAlive as isAlive } from './helpers/worker.js';

const PROJECT_ROOT = new URL('../..', import.meta.url).pathname;
const TIMEOUT_MS = 20_000;

type ServeProcess = ChildProcessByStdio<null, Readable, Readable>;

let folder: string;
let uiDirectory: string;
let topologyFile: string;
const started: ServeProcess[] = [];

before(async () => {
  folder = await mkdtemp(join(tmpdir(), 'switchyard-serve-cli-'));
  uiDirectory = join(folder, 'ui');
  await mkdir(uiDirectory);
  await writeFile(join(uiDirectory, 'index.html'), '<!doctype html><title>ui</title>');
  const topology: Topology = {
    version: 1,
    name: 'serve-cli',
    devices: [
      {
        id: 'pipeline',
        kind: 'streamer',
        in: { type: 'PULL', bind: ['tcp://127.0.0.1:44201'] },
        out: { type: 'PUSH', bind: ['tcp://127.0.0.1:44202'] },
      },
    ],
  };
  topologyFile = join(folder, 'serve-cli.json');
  await writeFile(topologyFile, JSON.stringify(topology));
});

after(async () => {
  for (const child of started) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  await rm(folder, { recursive: true, force: true });
});

function serve(args: string[]): { child: ServeProcess; stdout: string[]; stderr: string[]; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'app', 'cli', 'main.ts'), 'serve', ...args], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  started.push(child);
  const stdout: string[] = [];
  const stderr: string[] = [];
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, stdout, stderr, exited };
}

async function waitFor<T>(read: () => T | undefined, what: string): Promise<T> {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${TIMEOUT_MS} ms waiting for ${what}.`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

test('serve runs a file and exits on SIGINT', async () => {
  const host = serve([topologyFile, '--port', '0', '--ui-dir', uiDirectory]);
  const url = await waitFor(() => /serving at (http:\S+)/.exec(host.stdout.join(''))?.[1], 'the URL on stdout');
  const page = new URL(url);
  const token = page.searchParams.get('token') ?? '';
  const client = await ContractClient.open(`ws://${page.host}/ws?token=${encodeURIComponent(token)}`, page.origin);

  client.send({ type: 'request', id: 1, command: 'document:get', payload: {} });
  const opened = (await client.result(1)) as { document: Topology };
  assert.equal(opened.document.name, 'serve-cli');

  client.send({ type: 'request', id: 2, command: 'device:start', payload: { ids: ['pipeline'] } });
  await client.result(2);
  const running = await client.waitFor(
    (message) => message.type === 'event' && message.event === 'device:state' && (message.payload as { state: DeviceState }).state.state === 'running',
    'pipeline running',
  );
  const state = (running.type === 'event' ? running.payload : undefined) as { state: DeviceState } | undefined;
  const pid = state?.state.state === 'running' ? state.state.pid : undefined;
  assert.equal(typeof pid, 'number', `running state without a pid: ${JSON.stringify(state)}`);
  assert.ok((pid ?? 0) > 0, `running state with pid ${pid}`);

  host.child.kill('SIGINT');
  assert.equal(await host.exited, 0, host.stderr.join(''));
  assert.equal(await waitFor(() => (isAlive(pid ?? 0) ? undefined : true), `worker pid ${pid} to exit`), true);
});

test('serve rejects an invalid port', async () => {
  const host = serve(['--port', '70000', '--ui-dir', uiDirectory]);
  assert.equal(await host.exited, 2);
  assert.match(host.stderr.join(''), /Invalid --port "70000"/);
});

test('serve reports a missing file', async () => {
  const host = serve([join(folder, 'absent.json'), '--port', '0', '--ui-dir', uiDirectory]);
  assert.equal(await host.exited, 1);
  assert.match(host.stderr.join(''), /absent\.json.*does not exist/);
});

test('serve reports a missing UI build', async () => {
  const host = serve(['--port', '0', '--ui-dir', join(folder, 'no-ui')]);
  assert.equal(await host.exited, 1);
  assert.match(host.stderr.join(''), /npm run build:renderer/);
});
