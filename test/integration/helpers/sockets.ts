/**
 * Test helpers for zeromq.js peer sockets: receives with a deadline, a check
 * that nothing arrives, probing until a path through a device works, and
 * cleanup.
 */
import type * as zmq from 'zeromq';

type ReadableSocket = zmq.Socket & zmq.Readable;

/** Receives one message as strings, or throws when none arrives within `timeoutMs`. */
export async function receiveText(socket: ReadableSocket, timeoutMs = 5000): Promise<string[]> {
  const frames = await receiveFrames(socket, timeoutMs);
  return frames.map((frame) => frame.toString());
}

/** Receives one message, or throws when none arrives within `timeoutMs`. */
export async function receiveFrames(socket: ReadableSocket, timeoutMs = 5000): Promise<Buffer[]> {
  socket.receiveTimeout = timeoutMs;
  try {
    return await socket.receive();
  } catch (error) {
    if ((error as { code?: string }).code === 'EAGAIN') {
      throw new Error(`No message arrived within ${timeoutMs} ms on ${socket.constructor.name}.`);
    }
    throw error;
  }
}

/** Returns the next message, or undefined when none arrives within `timeoutMs`. */
export async function receiveOrNothing(socket: ReadableSocket, timeoutMs: number): Promise<string[] | undefined> {
  socket.receiveTimeout = timeoutMs;
  try {
    const frames = await socket.receive();
    return frames.map((frame) => frame.toString());
  } catch (error) {
    if ((error as { code?: string }).code === 'EAGAIN') return undefined;
    throw error;
  }
}

/**
 * Sends probes until one arrives at `receiver`, to get past ZeroMQ's slow
 * joiner (a PUB drops what it sends before a subscriber connected) and a
 * ROUTER's silent drop of messages to peers it does not know yet. Returns
 * the first probe received. Other messages that arrive meanwhile are dropped.
 */
export async function probeUntilReceived(options: {
  send: () => Promise<void>;
  receiver: ReadableSocket;
  isProbe: (frames: string[]) => boolean;
  timeoutMs?: number;
}): Promise<string[]> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  while (Date.now() < deadline) {
    await options.send();
    const frames = await receiveOrNothing(options.receiver, 50);
    if (frames && options.isProbe(frames)) return frames;
  }
  throw new Error(`No probe arrived within ${options.timeoutMs ?? 10_000} ms.`);
}

/** Receives and drops messages until none arrives for `quietMs`. */
export async function drain(socket: ReadableSocket, quietMs = 100): Promise<number> {
  let count = 0;
  while ((await receiveOrNothing(socket, quietMs)) !== undefined) count++;
  return count;
}

/** Closes sockets at once, discarding unsent messages. */
export function closeAll(...sockets: Array<zmq.Socket | undefined>): void {
  for (const socket of sockets) {
    if (!socket || socket.closed) continue;
    socket.linger = 0;
    socket.close();
  }
}
