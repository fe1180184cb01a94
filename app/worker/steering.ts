/**
 * The ctrl socket protocol of libzmq's `zmq_proxy_steerable`, with the
 * meaning its manual documents: PAUSE stops the flow of messages, RESUME
 * restarts it, TERMINATE ends the proxy and STATISTICS returns eight counters.
 * libzmq 4.3.5's own proxy swaps PAUSE and RESUME; this code does not.
 */
import { endianness } from 'node:os';
import type { DeviceCounters } from '../core/worker-protocol.js';

export const STEERING_COMMANDS = ['PAUSE', 'RESUME', 'TERMINATE', 'STATISTICS'] as const;
export type SteeringCommand = (typeof STEERING_COMMANDS)[number];

/**
 * Reads the command in the first frame of a ctrl message. Commands are
 * case-sensitive ASCII, as libzmq compares them byte by byte; anything else
 * returns undefined.
 */
export function parseSteeringCommand(frames: readonly Buffer[]): SteeringCommand | undefined {
  const text = frames[0]?.toString('latin1');
  return (STEERING_COMMANDS as readonly string[]).includes(text ?? '') ? (text as SteeringCommand) : undefined;
}

/**
 * Builds the reply to STATISTICS: eight frames, each an unsigned 64-bit
 * integer in the machine's byte order. They come in libzmq's order: the
 * frontend (in) socket's messages received, bytes received, messages sent
 * and bytes sent, then the same four for the backend (out) socket.
 */
export function statisticsFrames(counters: DeviceCounters): Buffer[] {
  const values = [
    counters.in.receivedMessages,
    counters.in.receivedBytes,
    counters.in.sentMessages,
    counters.in.sentBytes,
    counters.out.receivedMessages,
    counters.out.receivedBytes,
    counters.out.sentMessages,
    counters.out.sentBytes,
  ];
  const littleEndian = endianness() === 'LE';
  return values.map((value) => {
    const frame = Buffer.alloc(8);
    if (littleEndian) frame.writeBigUInt64LE(BigInt(value));
    else frame.writeBigUInt64BE(BigInt(value));
    return frame;
  });
}

/** Reads a STATISTICS reply back into numbers, in the order `statisticsFrames` writes them. */
export function readStatisticsFrames(frames: readonly Buffer[]): number[] {
  const littleEndian = endianness() === 'LE';
  return frames.map((frame) => Number(littleEndian ? frame.readBigUInt64LE() : frame.readBigUInt64BE()));
}
