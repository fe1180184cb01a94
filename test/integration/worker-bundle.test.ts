/**
 * The one-file worker bundle that the compiled engine and the desktop app
 * start (scripts/build-worker.mjs). It is built into a temporary folder under
 * dist/, so that Node finds node_modules/zeromq and the native addon from it.
 *
 *   test (ipc) --start--> bundled worker: ROUTER in, DEALER out on 127.0.0.1:*
 *              <--ready--
 */
import assert from 'node:assert/strict';
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { ResolvedDevice, WorkerToEngine } from '../../app/core/worker-protocol.js';
import { pollUntil } from './helpers/worker.js';

const repository = fileURLToPath(new URL('../..', import.meta.url));
const addonBuilt = existsSync(join(repository, 'native', 'build', 'Release', 'switchyard_relay.node'));
const children: ChildProcess[] = [];
let folder = '';
let bundle = '';

before(() => {
  mkdirSync(join(repository, 'dist'), { recursive: true });
  folder = mkdtempSync(join(repository, 'dist', 'test-worker-bundle-'));
  bundle = join(folder, 'main.cjs');
  const build = spawnSync(process.execPath, [join(repository, 'scripts', 'build-worker.mjs'), bundle], { encoding: 'utf8' });
  assert.equal(build.status, 0, `scripts/build-worker.mjs failed: ${build.stderr}`);
});

after(() => {
  for (const child of children) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  }
  if (folder) rmSync(folder, { recursive: true, force: true });
});

const queue: ResolvedDevice = {
  id: 'bundled',
  kind: 'queue',
  in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:*'], connect: [], options: {} },
  out: { type: 'DEALER', bind: ['tcp://127.0.0.1:*'], connect: [], options: { sndhwm: 100 } },
  prefix: { in: 'in', out: 'out' },
};

/** Shared objects the process has mapped, from /proc/PID/maps. */
function mappedFiles(pid: number): string {
  return readFileSync(`/proc/${pid}/maps`, 'utf8');
}

/** Starts the bundle on `relay`, checks `ready`, runs `check` on the live process, then stops it. */
async function startAndStop(relay: 'native' | 'javascript', check: (pid: number) => void): Promise<void> {
  const child = fork(bundle, ['bundled'], {
    env: { ...process.env, SWITCHYARD_RELAY: relay },
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    serialization: 'json',
  });
  children.push(child);
  const messages: WorkerToEngine[] = [];
  child.on('message', (message) => messages.push(message as WorkerToEngine));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));

  child.send({ type: 'start', device: queue });
  const ready = await pollUntil('a ready or failed message', () => messages.find((message) => message.type === 'ready' || message.type === 'failed'), 20_000);
  assert.equal(ready.type, 'ready', JSON.stringify(messages));
  assert.equal(ready.type === 'ready' ? ready.relay : undefined, relay);
  assert.match(ready.type === 'ready' ? (ready.endpoints.in?.[0] ?? '') : '', /^tcp:\/\/127\.0\.0\.1:\d+$/);
  check(child.pid!);

  child.send({ type: 'stop' });
  assert.equal(await exited, 0);
  assert.deepEqual(messages.at(-1), { type: 'stopped', reason: 'stop' });
}

describe('worker bundle', () => {
  test('javascript relay skips the addon', async () => {
    await startAndStop('javascript', (pid) => {
      if (!existsSync(`/proc/${pid}/maps`)) return;
      assert.doesNotMatch(mappedFiles(pid), /switchyard_relay\.node/);
      assert.match(mappedFiles(pid), /zeromq/);
    });
  });

  test('native relay skips zeromq.js', { skip: addonBuilt ? false : 'the native addon is not built (npm run build:native)' }, async () => {
    await startAndStop('native', (pid) => {
      if (!existsSync(`/proc/${pid}/maps`)) return;
      assert.match(mappedFiles(pid), /switchyard_relay\.node/);
      assert.doesNotMatch(mappedFiles(pid), /zeromq/);
    });
  });
});
