/**
 * Benchmark anchor: zeromq.js's native `Proxy` (libzmq's zmq_proxy on a
 * libuv thread-pool thread) with a ROUTER in and a DEALER out socket, or
 * with PULL and PUSH when the third argument is `streamer`.
 * Started with fork; argv: IN_ENDPOINT OUT_ENDPOINT [queue|streamer]. Sends
 * `{ ready: { in, out } }` over IPC after binding and relays until SIGTERM
 * or until the parent is gone.
 */
import * as zmq from 'zeromq';

const [inEndpoint, outEndpoint, shape = 'queue'] = process.argv.slice(2);
if (!inEndpoint || !outEndpoint || !process.send) {
  process.stderr.write('Usage: fork zeromq-proxy.ts IN_ENDPOINT OUT_ENDPOINT with an IPC channel.\n');
  process.exit(2);
}

const proxy = shape === 'streamer' ? new zmq.Proxy(new zmq.Pull(), new zmq.Push()) : new zmq.Proxy(new zmq.Router(), new zmq.Dealer());
await proxy.frontEnd.bind(inEndpoint);
await proxy.backEnd.bind(outEndpoint);
process.on('disconnect', () => process.exit(0));
// A parent killed with SIGKILL may not close the channel in time; a changed
// parent pid means this process was orphaned.
const parentPid = process.ppid;
setInterval(() => {
  if (process.ppid !== parentPid) process.exit(0);
}, 1000).unref();
process.send({ ready: { in: proxy.frontEnd.lastEndpoint, out: proxy.backEnd.lastEndpoint }, zmq: zmq.version });
await proxy.run();
