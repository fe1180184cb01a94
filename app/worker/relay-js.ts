/**
 * The JavaScript relay: the device loop written with zeromq.js v6.
 *
 * Each direction (in to out, out to in) is its own loop that receives one
 * whole multipart message and sends it as one multipart message, so messages
 * are never split or interleaved. zeromq.js resolves `receive()` and `send()`
 * without a trip through the event loop while the socket is ready (up to 512
 * operations in a row), so a busy loop runs in batches on microtasks.
 */
import type * as zmq from 'zeromq';
import { SOCKET_ROLES } from '../core/topology-names.js';
import type { SocketRole, SocketType } from '../core/topology.js';
import type { DeviceCounters, ResolvedDevice, ResolvedSocket, SocketCounters } from '../core/worker-protocol.js';
import { describeError, RelaySetupError, type RelayEvents, type RelayHandle } from './relay.js';
import { closeSocket, errorCode, openSocket } from './sockets.js';
import { parseSteeringCommand, statisticsFrames } from './steering.js';

type ReadableSocket = zmq.Socket & zmq.Readable;
type WritableSocket = zmq.Socket & zmq.Writable;

const READABLE_TYPES: readonly SocketType[] = ['PAIR', 'SUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PULL', 'XPUB', 'XSUB', 'STREAM'];
const WRITABLE_TYPES: readonly SocketType[] = ['PAIR', 'PUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PUSH', 'XPUB', 'XSUB', 'STREAM'];
const CTRL_TYPES: readonly SocketType[] = ['PAIR', 'REP'];

/**
 * How long the ctrl socket keeps the reply to TERMINATE after it closes, so
 * that a REP peer gets its reply. Every other socket closes with linger 0.
 */
const TERMINATE_REPLY_LINGER_MS = 1000;

/** Minimum time between two log lines about the same repeated event. */
const REPEAT_LOG_INTERVAL_MS = 10_000;

interface OpenedSocket {
  type: SocketType;
  socket: zmq.Socket;
  bound: string[];
}

/**
 * Opens the device's sockets and starts relaying.
 *
 * @throws RelaySetupError when a socket cannot be set up; the sockets opened
 *   so far are closed first.
 */
export async function createJavaScriptRelay(device: ResolvedDevice, events: RelayEvents): Promise<RelayHandle> {
  checkSocketTypes(device);
  const sockets = await openDeviceSockets(device);
  return new JavaScriptRelay(device, sockets, events);
}

function checkSocketTypes(device: ResolvedDevice): void {
  if (device.mon && !WRITABLE_TYPES.includes(device.mon.type)) {
    throw new RelaySetupError(
      `The monitor socket of device "${device.id}" is a ${device.mon.type} socket, which cannot send. Use a PUB socket.`,
      { role: 'mon', code: 'ENOTSUP' },
    );
  }
  if (device.ctrl && !CTRL_TYPES.includes(device.ctrl.type)) {
    throw new RelaySetupError(
      `The ctrl socket of device "${device.id}" is a ${device.ctrl.type} socket. Use a PAIR or REP socket.`,
      { role: 'ctrl', code: 'ENOTSUP' },
    );
  }
}

/** Opens the sockets in role order in, out, mon, ctrl; on failure closes those already open. */
async function openDeviceSockets(device: ResolvedDevice): Promise<Partial<Record<SocketRole, OpenedSocket>>> {
  const opened: Partial<Record<SocketRole, OpenedSocket>> = {};
  try {
    for (const role of SOCKET_ROLES) {
      const spec = device[role];
      if (!spec) continue;
      const { socket, bound } = await openSocket({ deviceId: device.id, role }, spec, (created) =>
        configureRelaySocket(role, spec, created),
      );
      opened[role] = { type: spec.type, socket, bound };
    }
  } catch (error) {
    for (const entry of Object.values(opened)) closeSocket(entry.socket);
    throw error;
  }
  return opened;
}

/**
 * Sets what the relay needs on a socket before it binds or connects.
 *
 * Monitor sends are non-blocking, so a slow or absent monitor peer never
 * stalls the data path: a send that would block fails with EAGAIN and is
 * counted as dropped. A PUB or XPUB drops silently at its high-water mark,
 * so it gets `noDrop` (ZMQ_XPUB_NODROP) to turn that into EAGAIN as well,
 * unless the topology sets `xpub_nodrop` itself. zeromq.js 6 warns when
 * `noDrop` is set after a bind or connect, hence this step comes first.
 *
 * Ctrl replies are non-blocking, so a PAIR peer that went away cannot stall
 * the ctrl loop.
 */
function configureRelaySocket(role: SocketRole, spec: ResolvedSocket, socket: zmq.Socket): void {
  if (role === 'mon') {
    const monitor = socket as WritableSocket & { noDrop?: boolean };
    monitor.sendTimeout = 0;
    const explicitNoDrop = spec.options.xpub_nodrop !== undefined;
    if ((spec.type === 'PUB' || spec.type === 'XPUB') && !explicitNoDrop) monitor.noDrop = true;
  } else if (role === 'ctrl') {
    (socket as WritableSocket).sendTimeout = 0;
  }
}

function emptySocketCounters(): SocketCounters {
  return { receivedMessages: 0, receivedBytes: 0, sentMessages: 0, sentBytes: 0 };
}

/** Logs the first of a run of repeated events, then at most one line per interval with the count. */
class RepeatedLog {
  private suppressed = 0;
  private lastLoggedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly events: RelayEvents,
    private readonly level: 'warn' | 'error',
  ) {}

  report(message: string): void {
    const now = Date.now();
    if (now - this.lastLoggedAt < REPEAT_LOG_INTERVAL_MS) {
      this.suppressed++;
      return;
    }
    const repeats = this.suppressed > 0 ? ` (${this.suppressed} more since the last report)` : '';
    this.events.log(this.level, `${message}${repeats}`);
    this.suppressed = 0;
    this.lastLoggedAt = now;
  }
}

class JavaScriptRelay implements RelayHandle {
  readonly endpoints: Partial<Record<SocketRole, string[]>> = {};
  readonly done: Promise<'stop' | 'terminate'>;

  private readonly inCounters = emptySocketCounters();
  private readonly outCounters = emptySocketCounters();
  private monitorSent = 0;
  private monitorDropped = 0;
  private unroutable = 0;

  private paused = false;
  private resumeWaiters: Array<() => void> = [];
  /** Shutdown reason, set when the relay begins to shut down. Every loop checks it and ends. */
  private ending: 'stop' | 'terminate' | 'failed' | undefined;
  private finished: Promise<void> | undefined;
  private readonly loops: Array<Promise<void>> = [];

  private resolveDone!: (reason: 'stop' | 'terminate') => void;
  private rejectDone!: (error: Error) => void;

  private readonly unroutableLog: RepeatedLog;
  private readonly monitorErrorLog: RepeatedLog;
  private readonly ctrlLog: RepeatedLog;

  constructor(
    private readonly device: ResolvedDevice,
    private readonly sockets: Partial<Record<SocketRole, OpenedSocket>>,
    private readonly events: RelayEvents,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.resolveDone = resolve;
      this.rejectDone = reject;
    });
    // The host attaches its own handlers; this one only keeps a failure that
    // happens before then from counting as an unhandled rejection.
    this.done.catch(() => undefined);

    this.unroutableLog = new RepeatedLog(events, 'warn');
    this.monitorErrorLog = new RepeatedLog(events, 'warn');
    this.ctrlLog = new RepeatedLog(events, 'warn');

    for (const [role, entry] of Object.entries(sockets) as Array<[SocketRole, OpenedSocket]>) {
      this.endpoints[role] = entry.bound;
    }

    this.startLoops();
  }

  counters(): DeviceCounters {
    return {
      in: { ...this.inCounters },
      out: { ...this.outCounters },
      monitorSent: this.monitorSent,
      monitorDropped: this.monitorDropped,
      unroutable: this.unroutable,
      at: Date.now(),
    };
  }

  pause(): void {
    this.paused = true;
    this.events.paused();
  }

  resume(): void {
    this.paused = false;
    this.releaseWaiters();
    this.events.resumed();
  }

  stop(): Promise<void> {
    return this.finish('stop');
  }

  private startLoops(): void {
    const inSocket = this.sockets.in;
    const outSocket = this.sockets.out;
    if (!inSocket || !outSocket) throw new Error(`Device "${this.device.id}" lacks an in or out socket.`);

    const swapRoutingIds = inSocket.type === 'ROUTER' && outSocket.type === 'ROUTER';
    const monitor = this.sockets.mon?.socket as WritableSocket | undefined;

    if (READABLE_TYPES.includes(inSocket.type) && WRITABLE_TYPES.includes(outSocket.type)) {
      this.watch(
        'in to out',
        this.relayDirection({
          from: inSocket.socket as ReadableSocket,
          to: outSocket.socket as WritableSocket,
          fromCounters: this.inCounters,
          toCounters: this.outCounters,
          prefix: Buffer.from(this.device.prefix.in),
          swapRoutingIds,
          monitor,
        }),
      );
    }
    if (READABLE_TYPES.includes(outSocket.type) && WRITABLE_TYPES.includes(inSocket.type)) {
      this.watch(
        'out to in',
        this.relayDirection({
          from: outSocket.socket as ReadableSocket,
          to: inSocket.socket as WritableSocket,
          fromCounters: this.outCounters,
          toCounters: this.inCounters,
          prefix: Buffer.from(this.device.prefix.out),
          swapRoutingIds,
          monitor,
        }),
      );
    }

    const ctrl = this.sockets.ctrl;
    if (ctrl) this.watch('ctrl', this.serveCtrl(ctrl.socket as ReadableSocket & WritableSocket, ctrl.type === 'REP'));
  }

  /** Ends the relay with an error when a loop fails unexpectedly. */
  private watch(name: string, loop: Promise<void>): void {
    const watched = loop.catch((error: unknown) => {
      if (this.ending) return;
      this.ending = 'failed';
      this.releaseWaiters();
      this.closeSockets(0);
      this.rejectDone(new Error(`The ${name} loop of device "${this.device.id}" failed: ${describeError(error)}`));
    });
    this.loops.push(watched);
  }

  private async relayDirection(direction: {
    from: ReadableSocket;
    to: WritableSocket;
    fromCounters: SocketCounters;
    toCounters: SocketCounters;
    prefix: Buffer;
    swapRoutingIds: boolean;
    monitor: WritableSocket | undefined;
  }): Promise<void> {
    const { from, to, fromCounters, toCounters, prefix, swapRoutingIds, monitor } = direction;

    while (this.ending === undefined) {
      if (this.paused) {
        await this.waitForResume();
        continue;
      }

      let frames: Buffer[];
      try {
        frames = await from.receive();
      } catch (error) {
        if (this.ending) return;
        throw error;
      }

      // A multipart message counts once, with the bytes of all its frames, as in libzmq's proxy.
      let size = 0;
      for (let index = 0; index < frames.length; index++) size += frames[index]!.length;
      fromCounters.receivedMessages++;
      fromCounters.receivedBytes += size;

      // Between two ROUTER sockets the first frame is the sender's routing id
      // and the second names the receiver. Swapping them lets the out socket
      // route to the receiver, which then gets the sender's id as its first frame.
      if (swapRoutingIds && frames.length >= 2) {
        const sender = frames[0]!;
        frames[0] = frames[1]!;
        frames[1] = sender;
      }

      // A message read just before a pause waits here, so nothing moves while paused.
      while (this.paused && this.ending === undefined) await this.waitForResume();
      if (this.ending) return;

      try {
        await to.send(frames);
      } catch (error) {
        if (this.ending) return;
        const code = errorCode(error);
        // EHOSTUNREACH: a ROUTER with router_mandatory has no peer with that
        // routing id. EAGAIN: the peer is at its high-water mark under
        // router_mandatory, or the out socket's sndtimeo expired. Either
        // way this message is dropped and the loop goes on.
        if (code === 'EHOSTUNREACH' || code === 'EAGAIN') {
          this.unroutable++;
          this.unroutableLog.report(
            `Dropped a message that device "${this.device.id}" could not deliver (${code}); counted as unroutable.`,
          );
          continue;
        }
        throw error;
      }
      toCounters.sentMessages++;
      toCounters.sentBytes += size;

      if (monitor) {
        // zeromq.js copied the frame list when the send began, so the array can be reused.
        frames.unshift(prefix);
        try {
          // With sendTimeout 0, zeromq.js 6.8 sends at once or rejects with
          // EAGAIN (src/socket.cc), so no send stays in progress and the two
          // directions cannot collide on the shared monitor socket (EBUSY).
          await monitor.send(frames);
          this.monitorSent++;
        } catch (error) {
          if (this.ending) return;
          this.monitorDropped++;
          const code = errorCode(error);
          if (code !== 'EAGAIN') {
            this.monitorErrorLog.report(
              `Dropped a monitor copy on device "${this.device.id}": ${describeError(error)} (${code ?? 'no code'}).`,
            );
          }
        }
      }
    }
  }

  /**
   * Serves ctrl commands until the relay ends. A REP socket replies to every
   * command, with an empty frame unless it is STATISTICS. A PAIR socket
   * replies only to STATISTICS, as `zmq_proxy_steerable` documents.
   */
  private async serveCtrl(ctrl: ReadableSocket & WritableSocket, isReply: boolean): Promise<void> {
    const empty = Buffer.alloc(0);

    while (this.ending === undefined) {
      let frames: Buffer[];
      try {
        frames = await ctrl.receive();
      } catch (error) {
        if (this.ending) return;
        throw error;
      }

      const command = parseSteeringCommand(frames);
      let reply: Buffer[] | undefined = isReply ? [empty] : undefined;
      switch (command) {
        case 'PAUSE':
          this.pause();
          break;
        case 'RESUME':
          this.resume();
          break;
        case 'STATISTICS':
          reply = statisticsFrames(this.counters());
          break;
        case 'TERMINATE':
          break;
        case undefined: {
          const commandText = JSON.stringify((frames[0] ?? empty).subarray(0, 32).toString('latin1'));
          this.ctrlLog.report(
            `Ignored unknown ctrl command ${commandText} on device "${this.device.id}". Send PAUSE, RESUME, TERMINATE or STATISTICS.`,
          );
          break;
        }
      }

      if (reply) {
        try {
          await ctrl.send(reply);
        } catch (error) {
          if (this.ending) return;
          this.ctrlLog.report(
            `Could not send the ctrl reply on device "${this.device.id}": ${describeError(error)}. The peer may have gone away.`,
          );
        }
      }

      if (command === 'TERMINATE') {
        this.events.log('info', `Device "${this.device.id}" received TERMINATE on its ctrl socket.`);
        // Not awaited: finish() waits for this loop, which must return first.
        void this.finish('terminate');
        return;
      }
    }
  }

  private waitForResume(): Promise<void> {
    return new Promise((resolve) => this.resumeWaiters.push(resolve));
  }

  private releaseWaiters(): void {
    const waiters = this.resumeWaiters;
    this.resumeWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private finish(reason: 'stop' | 'terminate'): Promise<void> {
    if (this.finished) return this.finished;
    if (this.ending === 'failed') {
      this.finished = this.done.then(
        () => undefined,
        () => undefined,
      );
      return this.finished;
    }

    this.ending = reason;
    this.releaseWaiters();
    this.closeSockets(reason === 'terminate' ? TERMINATE_REPLY_LINGER_MS : 0);
    this.finished = Promise.all(this.loops).then(() => this.resolveDone(reason));
    return this.finished;
  }

  /** Closes every socket with linger 0, except that ctrl keeps `ctrlLinger` for a pending reply. */
  private closeSockets(ctrlLinger: number): void {
    for (const [role, entry] of Object.entries(this.sockets) as Array<[SocketRole, OpenedSocket]>) {
      if (role === 'ctrl' && ctrlLinger > 0 && !entry.socket.closed) {
        entry.socket.linger = ctrlLinger;
        entry.socket.close();
        continue;
      }
      closeSocket(entry.socket);
    }
  }
}
