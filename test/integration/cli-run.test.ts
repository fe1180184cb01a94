/**
 * `switchyard run` as a real process: monitor lines for real traffic, a clean
 * exit on SIGINT, no worker left after SIGINT or after SIGKILL of the runner,
 * and refusal of files with errors.
 *
 *   test REQ ─> :ROUTER [broker] DEALER: <─ test REP
 *                     PUB (monitor) ─> tap in the runner ─> stdout lines
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { Reply, Request } from 'zeromq';
import { readTopology } from '../../app/core/file.js';
import {
  ANY_PORT,
  REPO_ROOT,
  exampleOnFreePorts,
  isAlive,
  runCli,
  startCli,
  temporaryFolder,
  waitFor,
  waitUntilGone,
  workerPidsFromLog,
  runningEndpoints,
  waitForRunning,
} from './engine-fixtures.js';

const folder = temporaryFolder('cli-run');
after(folder.remove);

describe('cli run', () => {
  test('monitor prints prefixed lines and SIGINT exits 0', async (t) => {
    const example = exampleOnFreePorts('broker.json', folder.path);
    const cli = startCli(['run', example.path, '--monitor']);
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'broker');

    const client = new Request({ linger: 0, receiveTimeout: 5_000 });
    const worker = new Reply({ linger: 0 });
    t.after(() => {
      client.close();
      worker.close();
    });
    const endpoints = runningEndpoints(cli, 'broker');
    client.connect(endpoints['in']![0]!);
    worker.connect(endpoints['out']![0]!);
    const replies = (async () => {
      for await (const [request] of worker) await worker.send(`re: ${request!.toString()}`);
    })().catch(() => undefined);

    // The tap subscribes after the device reports ready, so early messages may
    // miss it; requests go on until one shows on stdout.
    for (let index = 0; index < 100 && !cli.stdout().includes(' broker in '); index++) {
      await client.send(`request ${index}`);
      const [reply] = await client.receive();
      assert.equal(reply?.toString(), `re: request ${index}`);
      await waitFor('a monitor line', () => cli.stdout().includes(' broker in '), 100).catch(() => undefined);
    }
    await client.send('hello');
    await client.receive();

    const lines = await waitFor('the hello lines', () => {
      const all = cli.stdout().split('\n');
      const request = all.find((line) => / broker in 0x[0-9a-f]+ \| "" \| hello$/.test(line));
      const reply = all.find((line) => / broker out 0x[0-9a-f]+ \| "" \| re: hello$/.test(line));
      return request && reply ? { request, reply } : undefined;
    });
    assert.match(lines.request, /^\d\d:\d\d:\d\d\.\d{3} broker in /);
    assert.match(lines.reply, /^\d\d:\d\d:\d\d\.\d{3} broker out /);

    cli.child.kill('SIGINT');
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.deepEqual(workerPidsFromLog(cli.stderr()), [pid]);
    assert.equal(isAlive(pid), false);
    assert.match(cli.stderr(), /\[engine\] closed; every device is stopped/);

    worker.close();
    await replies;
  });

  test('closed stdout ends the run', async (t) => {
    const example = exampleOnFreePorts('broker.json', folder.path);
    const cli = startCli(['run', example.path, '--monitor']);
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'broker');
    cli.child.stdout!.destroy();

    const client = new Request({ linger: 0, receiveTimeout: 2_000 });
    const worker = new Reply({ linger: 0 });
    t.after(() => {
      client.close();
      worker.close();
    });
    const endpoints = runningEndpoints(cli, 'broker');
    client.connect(endpoints['in']![0]!);
    worker.connect(endpoints['out']![0]!);
    const replies = (async () => {
      for await (const [request] of worker) await worker.send(request!);
    })().catch(() => undefined);

    // Each monitor line is a write to the closed pipe; the first that fails with EPIPE ends the run.
    let exited = false;
    void cli.exited.then(() => (exited = true));
    for (let index = 0; index < 100 && !exited; index++) {
      await client.send(`request ${index}`);
      await client.receive().catch(() => undefined);
      await waitFor('the runner to exit', () => exited, 100).catch(() => undefined);
    }
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.equal(isAlive(pid), false);

    worker.close();
    await replies;
  });

  test('SIGKILL of the runner leaves no worker', async (t) => {
    const example = exampleOnFreePorts('pipeline-streamer.json', folder.path);
    const cli = startCli(['run', example.path]);
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'streamer');
    assert.ok(isAlive(pid));

    cli.child.kill('SIGKILL');
    await cli.exited;
    await waitUntilGone([pid], 5_000);
  });

  /*
   *   Ctrl-C in a terminal sends SIGINT to the whole foreground process group;
   *   workers sit in their own groups, so the runner stops them in order.
   */
  test('Ctrl-C to the process group stops cleanly', async (t) => {
    const example = exampleOnFreePorts('broker.json', folder.path);
    const cli = startCli(['run', example.path], { processGroup: true });
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'broker');

    process.kill(-cli.child.pid!, 'SIGINT');
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.doesNotMatch(cli.stderr(), /unexpectedly|restarting/);
    assert.match(cli.stderr(), new RegExp(`\\[device broker pid=${pid}\\] exited with code 0`));
    assert.equal(isAlive(pid), false);
  });

  for (const example of readdirSync(join(REPO_ROOT, 'examples')).filter((name) => /\.(json|ya?ml)$/.test(name))) {
    test(`example ${example} runs`, async (t) => {
      const copy = exampleOnFreePorts(example, folder.path);
      const cli = startCli(['run', copy.path]);
      t.after(() => cli.child.kill('SIGKILL'));
      const read = readTopology(readFileSync(copy.path, 'utf8'));
      assert.ok(read.ok);
      const pids: number[] = [];
      for (const device of read.document.devices) pids.push(await waitForRunning(cli, device.id));

      cli.child.kill('SIGINT');
      const exit = await cli.exited;
      assert.equal(exit.code, 0, cli.stderr());
      assert.doesNotMatch(cli.stderr(), / error /);
      await waitUntilGone(pids);
    });
  }

  /*
   *   test REQ -> ctrl REP [queue]: TERMINATE ends the device, and with no
   *   device left the runner exits 0 by itself
   */
  test('TERMINATE on ctrl ends the run', async (t) => {
    const copy = exampleOnFreePorts('steerable-queue.yaml', folder.path);
    const cli = startCli(['run', copy.path]);
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'queue');

    const control = new Request({ linger: 0, receiveTimeout: 5_000 });
    t.after(() => control.close());
    control.connect(runningEndpoints(cli, 'queue')['ctrl']![0]!);
    await control.send('TERMINATE');
    await control.receive().catch(() => undefined);

    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.match(cli.stderr(), /\[device queue pid=\d+\] stopped by TERMINATE on its ctrl socket/);
    assert.equal(isAlive(pid), false);
  });

  test('SIGTERM stops every device', async (t) => {
    const forwarder = exampleOnFreePorts('pubsub-forwarder.json', folder.path);
    const cli = startCli(['run', forwarder.path]);
    t.after(() => cli.child.kill('SIGKILL'));
    const pid = await waitForRunning(cli, 'forwarder');

    cli.child.kill('SIGTERM');
    const exit = await cli.exited;
    assert.equal(exit.code, 0, cli.stderr());
    assert.equal(isAlive(pid), false);
  });

  test('device option starts only that device', async (t) => {
    const path = join(folder.path, 'two.json');
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        name: 'two',
        devices: [
          { id: 'first', kind: 'streamer', in: { type: 'PULL', bind: [ANY_PORT] }, out: { type: 'PUSH', bind: [ANY_PORT] } },
          { id: 'second', kind: 'streamer', in: { type: 'PULL', bind: [ANY_PORT] }, out: { type: 'PUSH', bind: [ANY_PORT] } },
        ],
      }),
    );
    const cli = startCli(['run', path, '--device', 'second']);
    t.after(() => cli.child.kill('SIGKILL'));
    await waitForRunning(cli, 'second');

    cli.child.kill('SIGINT');
    const exit = await cli.exited;
    assert.equal(exit.code, 0);
    assert.doesNotMatch(cli.stderr(), /\[device first/);
  });

  test('file with errors is not started', async () => {
    const path = join(folder.path, 'bad.json');
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        name: 'bad',
        devices: [{ id: 'q', kind: 'queue', in: { type: 'ROUTER', bind: ['tcp://127.0.0.1:70000'] }, out: { type: 'DEALER', bind: [ANY_PORT] } }],
      }),
    );
    const result = await runCli(['run', path]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error at \$\.devices\[0\]\.in\.bind\[0\]: .*70000/);
    assert.match(result.stderr, /not started because it has 1 error\(s\)/);
    assert.deepEqual(workerPidsFromLog(result.stderr), []);
  });

  test('port in use exits 1 when no device runs', async (t) => {
    const { Router } = await import('zeromq');
    const blocker = new Router({ linger: 0 });
    await blocker.bind(ANY_PORT);
    t.after(() => blocker.close());
    const taken = blocker.lastEndpoint!;
    const path = join(folder.path, 'taken.json');
    writeFileSync(
      path,
      JSON.stringify({
        version: 1,
        name: 'taken',
        devices: [{ id: 'q', kind: 'queue', in: { type: 'ROUTER', bind: [taken] }, out: { type: 'DEALER', bind: [ANY_PORT] } }],
      }),
    );
    const result = await runCli(['run', path]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, new RegExp(`\\[device q pid=\\d+\\] .*${taken.replace(/\./g, '\\.')}`));
    assert.ok(workerPidsFromLog(result.stderr).every((pid) => !isAlive(pid)));
  });
});
