/**
 * A stand-in parent for the parent-death test. It forks a device worker,
 * starts the device given as JSON in argv[2], prints `ready <worker pid>`
 * on stdout and then waits. The test kills this process and checks that
 * the orphaned worker exits by itself.
 *
 * Usage: node --import tsx worker-parent.ts '<resolved device JSON>'
 */
import { fork } from 'node:child_process';
import { WORKER_ENTRY } from './worker.js';

const device: unknown = JSON.parse(process.argv[2] ?? 'null');
const worker = fork(WORKER_ENTRY, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });

worker.on('message', (message: { type?: string; message?: string }) => {
  if (message.type === 'ready') process.stdout.write(`ready ${worker.pid}\n`);
  if (message.type === 'failed') {
    process.stderr.write(`The worker failed to start: ${message.message}\n`);
    process.exit(1);
  }
});
worker.send({ type: 'start', device });
