/**
 * `npm run demo`: runs `switchyard run examples/broker.json --monitor` and
 * sends traffic through it from two REQ clients and two REP workers, so the
 * prefixed monitor lines scroll by. Stops by itself after 40 requests or
 * 20 seconds, whichever comes first, and leaves no process behind.
 *
 *   client-a REQ ─┐                                  ┌─ REP worker-1
 *                 ├─ :5559 ROUTER [broker] DEALER :5560 ─┤
 *   client-b REQ ─┘          PUB :5561 (monitor)      └─ REP worker-2
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Reply, Request } from 'zeromq';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const REQUESTS = 40;
const TIME_LIMIT_MS = 20_000;
const STARTUP_LIMIT_MS = 15_000;
const REQUEST_INTERVAL_MS = 250;

async function main(): Promise<number> {
  console.log('Starting: switchyard run examples/broker.json --monitor');
  // The TypeScript source runs through tsx, so the demo never picks up a stale build in dist/.
  const cli = [join(ROOT, 'app', 'cli', 'main.ts'), 'run', join(ROOT, 'examples', 'broker.json'), '--monitor'];
  const runner = spawn(process.execPath, ['--import', 'tsx', ...cli], { stdio: ['ignore', 'inherit', 'pipe'] });
  const runnerExit = new Promise<number | null>((resolve) => runner.on('exit', (code) => resolve(code)));

  const running = new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), STARTUP_LIMIT_MS);
    let log = '';
    runner.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
      process.stderr.write(chunk);
      log += chunk;
      if (/\[device broker pid=\d+\] running/.test(log)) {
        clearTimeout(timer);
        resolve(true);
      }
    });
    void runnerExit.then(() => resolve(false));
  });
  if (!(await running)) {
    console.error('The broker did not start; see the log above. Is another program using ports 5559-5561?');
    runner.kill('SIGINT');
    await runnerExit;
    return 1;
  }

  const workers = ['worker-1', 'worker-2'].map((name) => startWorker(name));
  const clients = [new Request({ linger: 0, receiveTimeout: 5_000 }), new Request({ linger: 0, receiveTimeout: 5_000 })];
  for (const client of clients) client.connect('tcp://127.0.0.1:5559');

  const deadline = Date.now() + TIME_LIMIT_MS;
  let exitCode = 0;
  try {
    for (let index = 0; index < REQUESTS && Date.now() < deadline; index++) {
      const client = clients[index % clients.length]!;
      await client.send(`request ${index} from client-${index % 2 === 0 ? 'a' : 'b'}`);
      await client.receive();
      await new Promise((resolve) => setTimeout(resolve, REQUEST_INTERVAL_MS));
    }
  } catch (error) {
    console.error(`A request failed: ${error instanceof Error ? error.message : String(error)}`);
    exitCode = 1;
  } finally {
    for (const client of clients) client.close();
    for (const worker of workers) worker.socket.close();
    await Promise.all(workers.map((worker) => worker.done));
  }

  console.log('Demo finished; stopping the broker.');
  runner.kill('SIGINT');
  const code = await runnerExit;
  return code === 0 ? exitCode : 1;
}

/** Starts a REP worker that replies to every request with "NAME: done with ...". */
function startWorker(name: string): { socket: Reply; done: Promise<void> } {
  const socket = new Reply({ linger: 0 });
  socket.connect('tcp://127.0.0.1:5560');
  const done = (async () => {
    for await (const [request] of socket) {
      await socket.send(`${name}: done with "${request?.toString() ?? ''}"`);
    }
  })().catch(() => undefined);
  return { socket, done };
}

process.exitCode = await main();
