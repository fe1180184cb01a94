/**
 * PyZMQ peers exchange traffic through `switchyard run`: the example peers in
 * examples/peers, run with /usr/bin/python3, against copies of the example
 * topologies that bind ports the OS picks.
 *
 *   req_client.py REQ ─> ROUTER [broker] DEALER <─ REP rep_worker.py
 *   publisher.py  PUB ─> XSUB [forwarder] XPUB <─ SUB subscriber.py
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, exampleOnFreePorts, isAlive, runningEndpoints, startCli, temporaryFolder, waitFor, waitForRunning, type CliProcess } from './engine-fixtures.js';

const PYTHON = '/usr/bin/python3';
const probe = spawnSync(PYTHON, ['-c', 'import zmq'], { encoding: 'utf8' });
const skip = probe.status === 0 ? false : `PyZMQ is not importable by ${PYTHON} (${(probe.stderr || String(probe.error)).trim()}); install python3-zmq to run this test.`;

const folder = temporaryFolder('interop');
after(folder.remove);

/** Runs an example peer script to completion, bounded by `timeoutMs`. */
function runPeer(script: string, args: string[], timeoutMs = 30_000) {
  const child = spawn(PYTHON, [join(REPO_ROOT, 'examples', 'peers', script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { child, done };
}

async function stopRunner(cli: CliProcess): Promise<void> {
  cli.child.kill('SIGINT');
  const exit = await cli.exited;
  assert.equal(exit.code, 0, cli.stderr());
}

describe('interop pyzmq', { skip }, () => {
  test('REQ and REP through the broker', async (t) => {
    const example = exampleOnFreePorts('broker.json', folder.path);
    const cli = startCli(['run', example.path, '--monitor']);
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'broker');
    const endpoints = runningEndpoints(cli, 'broker');

    const worker = runPeer('rep_worker.py', ['--endpoint', endpoints['out']![0]!, '--count', '5']);
    t.after(() => worker.child.kill('SIGKILL'));
    const client = await runPeer('req_client.py', ['--endpoint', endpoints['in']![0]!, '--count', '5']).done;

    assert.equal(client.code, 0, client.stderr);
    assert.deepEqual(client.stdout.trim().split('\n'), [0, 1, 2, 3, 4].map((index) => `hello client-${index}`));
    const served = await worker.done;
    assert.equal(served.code, 0, served.stderr);

    // The tap subscribes after the device is ready, so it may miss the first requests but not the
    // last, which comes several round trips later.
    await waitFor('the monitor line of the last reply', () => cli.stdout().includes('| hello client-4'));
    assert.match(cli.stdout(), / broker in 0x[0-9a-f]+ \| "" \| client-4\n/);
    assert.match(cli.stdout(), / broker out 0x[0-9a-f]+ \| "" \| hello client-4\n/);

    await stopRunner(cli);
    assert.equal(isAlive(pid), false);
  });

  test('PUB and SUB through the forwarder', async (t) => {
    const example = exampleOnFreePorts('pubsub-forwarder.json', folder.path);
    const cli = startCli(['run', example.path, '--monitor']);
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'forwarder');
    const endpoints = runningEndpoints(cli, 'forwarder');

    const subscriber = runPeer('subscriber.py', ['--endpoint', endpoints['out']![0]!, '--topic', 'weather', '--count', '3']);
    t.after(() => subscriber.child.kill('SIGKILL'));
    // Publishes 200 messages over about 10 s: enough for the subscription to travel
    // through the XPUB/XSUB forwarder to the publisher before the subscriber gives up.
    const publisher = runPeer('publisher.py', ['--endpoint', endpoints['in']![0]!, '--topic', 'weather', '--count', '200', '--interval', '50']);
    t.after(() => publisher.child.kill('SIGKILL'));

    const received = await subscriber.done;
    assert.equal(received.code, 0, received.stderr);
    const lines = received.stdout.trim().split('\n');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.match(line, /^weather \d+$/);
    // The publisher goes on after the subscriber is done, so the tap receives publications even if it joined late.
    await waitFor('a monitor line for a publication', () => / forwarder in weather \d+\n/.test(cli.stdout()));

    publisher.child.kill('SIGINT');
    await publisher.done;
    await stopRunner(cli);
    assert.equal(isAlive(pid), false);
  });
});
