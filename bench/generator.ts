/**
 * The benchmark's load generator process. It loads the native generator in
 * `native/src/loadgen.cc` and runs one job per IPC message, replying with the
 * job's result. The native calls block this process's event loop while they
 * run, which is why it is a process of its own.
 */
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

export interface StreamJob {
  kind: 'stream';
  senderEndpoint: string;
  senderType: number;
  senderBind?: boolean;
  receiverEndpoint: string;
  receiverType: number;
  receiverBind?: boolean;
  monitorEndpoint?: string;
  monitorPrefix?: string;
  /** Expected frames per monitor message, prefix included; 0 skips the check. */
  monitorFrames?: number;
  count: number;
  frames: number;
  size: number;
  timeoutMs: number;
}

export interface LatencyJob extends Omit<StreamJob, 'kind' | 'monitorEndpoint' | 'monitorPrefix' | 'monitorFrames'> {
  kind: 'latency';
}

export interface StreamResult {
  sent: number;
  received: number;
  seconds: number;
  monitorReceived: number;
  monitorMalformed: number;
  timedOut: boolean;
}

export interface LatencyResult {
  count: number;
  medianUs: number;
  p99Us: number;
  meanUs: number;
  timedOut: boolean;
}

interface LoadGenerator {
  stream(job: StreamJob): StreamResult;
  latency(job: LatencyJob): LatencyResult;
}

export const LOADGEN_PATH = join(dirname(fileURLToPath(import.meta.url)), '..', 'native', 'build', 'Release', 'switchyard_loadgen.node');

if (process.send) {
  const generator = createRequire(import.meta.url)(LOADGEN_PATH) as LoadGenerator;
  process.on('message', (job: StreamJob | LatencyJob) => {
    const result = job.kind === 'stream' ? generator.stream(job) : generator.latency(job);
    process.send?.(result);
  });
  process.on('disconnect', () => process.exit(0));
  process.send({ ready: true });
}
