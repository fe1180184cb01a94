/**
 * The worker's link to the process that started it: the IPC channel of
 * `child_process.fork`, or `process.parentPort` under Electron's
 * `utilityProcess`. Both carry structured-clone or JSON values, so the same
 * protocol objects travel over either.
 */
import type { WorkerToEngine } from '../core/worker-protocol.js';

/** The subset of Electron's `ParentPort` the worker uses; Electron's types are not loaded here. */
interface ElectronParentPort {
  on(event: 'message', listener: (event: { data: unknown }) => void): unknown;
  postMessage(message: unknown): void;
}

export interface ParentChannel {
  /** `fork` or `utilityProcess`, for log lines. */
  readonly kind: 'fork' | 'utilityProcess';
  /** Sends a message; resolves once it was handed to the transport, and never rejects. */
  send(message: WorkerToEngine): Promise<void>;
  onMessage(listener: (message: unknown) => void): void;
}

/** Returns the channel to the parent, or undefined when the process was started some other way. */
export function connectToParent(): ParentChannel | undefined {
  const parentPort = (process as { parentPort?: ElectronParentPort }).parentPort;
  if (parentPort) return utilityProcessChannel(parentPort);
  if (typeof process.send === 'function' && process.connected) return forkChannel();
  return undefined;
}

function forkChannel(): ParentChannel {
  return {
    kind: 'fork',
    send(message) {
      return new Promise((resolve) => {
        if (!process.connected || !process.send) {
          resolve();
          return;
        }
        // The callback also runs with an error when the channel closed meanwhile;
        // the parent is gone then, and the parent watch ends this process.
        process.send(message, undefined, undefined, () => resolve());
      });
    },
    onMessage(listener) {
      process.on('message', listener);
    },
  };
}

// NOTE: Not run by the tests, because the Electron binary is not installed
// here; it is written against Electron 45's ParentPort type.
function utilityProcessChannel(parentPort: ElectronParentPort): ParentChannel {
  return {
    kind: 'utilityProcess',
    send(message) {
      parentPort.postMessage(message);
      // postMessage queues the message synchronously; a turn of the event
      // loop lets Electron write it before a following process.exit().
      return new Promise((resolve) => setImmediate(resolve));
    },
    onMessage(listener) {
      parentPort.on('message', (event) => listener(event.data));
    },
  };
}

/** How often the parent watch compares `process.ppid` with the parent's pid at start. */
const PARENT_POLL_INTERVAL_MS = 500;

/**
 * Calls `onParentGone` once when the parent process is gone: at once when a
 * fork's IPC channel disconnects, or at the next poll when `process.ppid`
 * changed because the orphaned worker was adopted by init or a subreaper.
 * The poll covers `utilityProcess`, whose parent port has no close event in
 * Electron 45's types. NOTE: the tests reach only the fork path, because a
 * forked worker always gets the disconnect event first.
 */
export function watchParent(onParentGone: (reason: string) => void): void {
  const parentPid = process.ppid;
  let reported = false;
  const report = (reason: string): void => {
    if (reported) return;
    reported = true;
    clearInterval(timer);
    onParentGone(reason);
  };

  process.on('disconnect', () => report('the IPC channel to the parent process closed'));

  const timer = setInterval(() => {
    if (process.ppid !== parentPid) report(`the parent process ${parentPid} exited`);
  }, PARENT_POLL_INTERVAL_MS);
  // The poll alone must not keep the worker alive.
  timer.unref();
}
