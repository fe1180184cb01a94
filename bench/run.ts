/**
 * Throughput, latency, start-up and memory benchmark of Switchyard's device
 * worker beside its anchors: zeromq.js's native `Proxy`, and PyZMQ's
 * `zmq.proxy` (libzmq's C `zmq_proxy`) and `zmq.devices.monitored_queue`.
 *
 *   npm run bench               # full run, about 3 to 5 minutes on 2 cores
 *   npm run bench -- --quick    # short run, under 2 minutes
 *   npm run bench -- --startup  # worker start-up and idle memory only, printed
 *
 * Every device runs in its own process and the runs are interleaved (A B C
 * A B C ...), so the ratios compare devices under the same machine load.
 * Results go to bench/results/latest.json and latest.md.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as zmq from 'zeromq';
import {
  ensureCompiledWorker,
  pyzmqVersions,
  readMemory,
  startDevice,
  workerEntries,
  type DeviceKind,
  type RunningDevice,
  type WorkerEntry,
} from './devices.js';
import { LOADGEN_PATH, type LatencyJob, type LatencyResult, type StreamJob, type StreamResult } from './generator.js';
import { median, renderMarkdown, startupTable, type BenchReport, type LatencyRow, type StartupRow, type StreamRow } from './report.js';

const benchFolder = dirname(fileURLToPath(import.meta.url));
const resultsFolder = join(benchFolder, 'results');

/** libzmq socket type numbers used by the generator jobs. */
const REQ = 3;
const REP = 4;
const DEALER = 5;
const PULL = 7;
const PUSH = 8;

/** Payload bytes per frame. */
const FRAME_SIZE = 64;

/** Ports the generator's receiver binds for the direct (no device) tcp runs; devices bind ports the OS picks. */
const DIRECT_TCP_PORT = { stream: 45100, latency: 45101 };

interface Settings {
  quick: boolean;
  rounds: number;
  streamCount: number;
  latencyCount: number;
  startupRepeats: number;
  /** Whole-run bound: rounds that would start after it are skipped and reported. */
  maxSeconds: number;
  /** Gap without a message after which a generator job gives up. */
  jobTimeoutMs: number;
}

function readSettings(argv: string[]): Settings {
  const quick = argv.includes('--quick');
  const value = (flag: string): number | undefined => {
    const index = argv.indexOf(flag);
    return index >= 0 ? Number(argv[index + 1]) : undefined;
  };
  return {
    quick,
    // More short rounds rather than fewer long ones: the median of per-round
    // ratios resists the load changes of a shared machine better.
    rounds: value('--rounds') ?? (quick ? 2 : 5),
    streamCount: value('--messages') ?? (quick ? 30_000 : 120_000),
    latencyCount: quick ? 1_000 : 3_000,
    startupRepeats: quick ? 3 : 5,
    maxSeconds: value('--max-seconds') ?? (quick ? 90 : 300),
    jobTimeoutMs: 10_000,
  };
}

/** A device under test, or `direct`: the generator's own sender and receiver with no device between. */
interface Subject {
  name: string;
  kind: DeviceKind | { family: 'direct' };
  monitored: boolean;
  /**
   * Share of the message count this subject gets. The slow subjects get
   * fewer messages so that the full run stays near 5 minutes. Each of their
   * runs still lasts a second or more, which is long enough for a stable rate.
   */
  share: number;
  /** Streamers take one-way runs only, from a PUSH to a PULL. */
  shape: 'queue' | 'streamer';
}

function subjects(hasPyzmq: boolean, entry: WorkerEntry): Subject[] {
  const list: Subject[] = [{ name: 'direct (generator ceiling)', kind: { family: 'direct' }, monitored: false, share: 1, shape: 'queue' }];
  if (hasPyzmq) {
    list.push({ name: 'PyZMQ zmq.proxy (C zmq_proxy)', kind: { family: 'pyzmq', monitored: false }, monitored: false, share: 1, shape: 'queue' });
    list.push({ name: 'PyZMQ monitored_queue', kind: { family: 'pyzmq', monitored: true }, monitored: true, share: 0.5, shape: 'queue' });
  }
  list.push({ name: 'zeromq.js Proxy', kind: { family: 'zeromq-proxy' }, monitored: false, share: 1, shape: 'queue' });
  for (const relay of ['native', 'javascript'] as const) {
    for (const monitored of [false, true]) {
      list.push({
        name: `Switchyard ${relay} ${monitored ? 'monitored-queue' : 'queue'}`,
        kind: { family: 'switchyard', relay, monitored, entry },
        monitored,
        share: relay === 'javascript' ? 0.2 : 1,
        shape: 'queue',
      });
    }
  }
  list.push({ name: 'zeromq.js Proxy streamer', kind: { family: 'zeromq-proxy', shape: 'streamer' }, monitored: false, share: 1, shape: 'streamer' });
  list.push({
    name: 'Switchyard native streamer',
    kind: { family: 'switchyard', relay: 'native', monitored: false, entry, shape: 'streamer' },
    monitored: false,
    share: 1,
    shape: 'streamer',
  });
  return list;
}

class Generator {
  private constructor(private readonly child: ChildProcess) {}

  static async start(): Promise<Generator> {
    const child = fork(join(benchFolder, 'generator.ts'), [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    await new Promise<void>((resolve, reject) => {
      child.once('message', () => resolve());
      child.once('exit', (code) => reject(new Error(`The load generator exited with code ${code} before it was ready.`)));
    });
    return new Generator(child);
  }

  run(job: StreamJob): Promise<StreamResult>;
  run(job: LatencyJob): Promise<LatencyResult>;
  run(job: StreamJob | LatencyJob): Promise<StreamResult | LatencyResult> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) => reject(new Error(`The load generator exited with code ${code} during a job.`));
      this.child.once('exit', onExit);
      this.child.once('message', (result) => {
        this.child.off('exit', onExit);
        resolve(result as StreamResult | LatencyResult);
      });
      this.child.send(job);
    });
  }

  stop(): void {
    this.child.disconnect();
  }
}

function endpointsFor(transport: 'ipc' | 'tcp', folder: string, slug: string) {
  if (transport === 'tcp') return { in: 'tcp://127.0.0.1:*', out: 'tcp://127.0.0.1:*', mon: 'tcp://127.0.0.1:*' };
  return { in: `ipc://${folder}/${slug}-in`, out: `ipc://${folder}/${slug}-out`, mon: `ipc://${folder}/${slug}-mon` };
}

function directEndpoint(transport: 'ipc' | 'tcp', folder: string, mode: 'stream' | 'latency'): string {
  return transport === 'tcp' ? `tcp://127.0.0.1:${DIRECT_TCP_PORT[mode]}` : `ipc://${folder}/direct-${mode}`;
}

function streamJob(subject: Subject, device: RunningDevice | undefined, settings: Settings, frames: number, direct: string): StreamJob {
  const base = { kind: 'stream' as const, count: Math.round(settings.streamCount * subject.share), frames, size: FRAME_SIZE, timeoutMs: settings.jobTimeoutMs };
  if (!device) {
    return { ...base, senderEndpoint: direct, senderType: DEALER, receiverEndpoint: direct, receiverType: DEALER, receiverBind: true };
  }
  const streamer = subject.shape === 'streamer';
  const job: StreamJob = {
    ...base,
    senderEndpoint: device.endpoints.in,
    senderType: streamer ? PUSH : DEALER,
    receiverEndpoint: device.endpoints.out,
    receiverType: streamer ? PULL : DEALER,
  };
  if (subject.monitored && device.endpoints.mon) {
    job.monitorEndpoint = device.endpoints.mon;
    job.monitorPrefix = 'in';
    // prefix, the routing id the ROUTER in socket added, then the payload frames
    job.monitorFrames = frames + 2;
  }
  return job;
}

function latencyJob(device: RunningDevice | undefined, settings: Settings, direct: string): LatencyJob {
  const base = { kind: 'latency' as const, count: settings.latencyCount, frames: 1, size: FRAME_SIZE, timeoutMs: settings.jobTimeoutMs };
  if (!device) return { ...base, senderEndpoint: direct, senderType: REQ, receiverEndpoint: direct, receiverType: REP, receiverBind: true };
  return { ...base, senderEndpoint: device.endpoints.in, senderType: REQ, receiverEndpoint: device.endpoints.out, receiverType: REP };
}

/** Last `monitorDropped` seen per Switchyard worker, to report the drops of each run. */
const lastMonitorDropped = new Map<RunningDevice, number>();

/**
 * Returns how many monitor copies a Switchyard worker counted as dropped
 * since the previous call, or undefined for other devices, which do not count them.
 */
async function monitorDropsSince(device: RunningDevice | undefined): Promise<number | undefined> {
  if (!device?.nextCounters) return undefined;
  const dropped = (await device.nextCounters()).monitorDropped;
  const previous = lastMonitorDropped.get(device) ?? 0;
  lastMonitorDropped.set(device, dropped);
  return dropped - previous;
}

/** Measures spawn-to-ready and idle RSS of a plain queue worker, per relay and worker entry. */
async function measureStartup(settings: Settings, entries: WorkerEntry[]): Promise<StartupRow[]> {
  const rows: StartupRow[] = [];
  for (const entry of entries) {
    for (const relay of ['native', 'javascript'] as const) {
      const times: number[] = [];
      const cpuTimes: number[] = [];
      let idleRssMiB = NaN;
      // The tsx entry is only for comparison and slow to start, so it gets fewer repeats.
      const repeats = entry.name === 'source' ? Math.min(3, settings.startupRepeats) : settings.startupRepeats;
      for (let i = 0; i < repeats; i++) {
        const device = await startTracked(`startup-${relay}-${i}`, { family: 'switchyard', relay, monitored: false, entry }, endpointsFor('tcp', '', ''));
        times.push(device.spawnToReadyMs);
        cpuTimes.push(device.cpuToReadyMs);
        if (i === 0) {
          // One second idle lets start-up garbage be collected before reading RSS.
          await new Promise((resolve) => setTimeout(resolve, 1000));
          idleRssMiB = readMemory(device.pid)?.rssMiB ?? NaN;
        }
        await stopTracked(device);
      }
      rows.push({ entry: entry.name, relay, spawnToReadyMs: median(times), samples: times, cpuToReadyMs: median(cpuTimes), idleRssMiB });
    }
  }
  return rows;
}

function machine(nativeZmq: string | undefined, pyzmq: { pyzmq: string; zmq: string } | undefined): BenchReport['machine'] {
  const cpuInfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /^model name\s*:\s*(.+)$/m.exec(cpuInfo)?.[1] ?? cpus()[0]?.model ?? 'unknown';
  return {
    cores: cpus().length,
    cpu: model.trim(),
    node: process.version,
    zeromqJs: { libzmq: zmq.version },
    nativeRelayLibzmq: nativeZmq ?? 'not built',
    pyzmq: pyzmq ? `${pyzmq.pyzmq} (libzmq ${pyzmq.zmq})` : 'not available',
  };
}

async function main(): Promise<number> {
  const settings = readSettings(process.argv.slice(2));
  const startedAt = Date.now();
  if (process.argv.includes('--startup')) return startupOnly(settings);

  if (!existsSync(LOADGEN_PATH)) {
    console.error(`The load generator ${LOADGEN_PATH} is not built. Install libzmq3-dev, g++ and make, then run npm run build:native.`);
    return 1;
  }
  let nativeZmq: string | undefined;
  try {
    nativeZmq = (await import('../app/worker/relay-native.js')).nativeZmqVersion;
  } catch (error) {
    console.error(`The native relay did not load (${(error as Error).message}); run npm run build:native first.`);
    return 1;
  }
  const pyzmq = pyzmqVersions();
  if (!pyzmq) console.log(`bench: skipped the PyZMQ anchors because "${'/usr/bin/python3'} -c 'import zmq'" failed. Install python3-zmq.`);

  const build = ensureCompiledWorker();
  if (build.compiled) console.log('bench: compiled and bundled the worker because dist/ was missing or older than app/.');
  if (build.error) console.log(`bench: could not compile the worker (${build.error}); measuring the tsx entry only.`);
  const entries = workerEntries().filter((candidate) => candidate.name === 'source' || build.error === undefined);
  // The bundled worker is what the compiled engine and the desktop app start,
  // so the throughput runs use it when it exists.
  const entry = entries.find((candidate) => candidate.name === 'bundle') ?? entries.find((candidate) => candidate.name === 'dist') ?? entries[0]!;
  const list = subjects(pyzmq !== undefined, entry);
  console.log(`bench: ${settings.quick ? 'quick' : 'full'} run, ${settings.rounds} rounds, ${settings.streamCount} messages per stream run, worker from ${entry.name}.`);

  const folder = mkdtempSync(join(tmpdir(), 'switchyard-bench-'));
  const generator = await Generator.start();
  const streamRows = new Map<string, StreamRow>();
  const latencyRows = new Map<string, LatencyRow>();
  const peakRss: Record<string, number> = {};
  const skipped: string[] = [];

  try {
    for (const transport of ['ipc', 'tcp'] as const) {
      const devices = new Map<string, RunningDevice>();
      for (const [index, subject] of list.entries()) {
        if (subject.kind.family === 'direct') continue;
        devices.set(subject.name, await startTracked(`bench-${index}`, subject.kind, endpointsFor(transport, folder, `d${index}`)));
      }

      for (let round = 0; round < settings.rounds; round++) {
        if ((Date.now() - startedAt) / 1000 > settings.maxSeconds) {
          skipped.push(`${transport} round ${round + 1}`);
          continue;
        }
        for (const frames of [1, 2]) {
          for (const subject of list) {
            const device = devices.get(subject.name);
            const result = await generator.run(streamJob(subject, device, settings, frames, directEndpoint(transport, folder, 'stream')));
            const key = `${transport}|${frames}|${subject.name}`;
            const row = streamRows.get(key) ?? { transport, frames, subject: subject.name, monitored: subject.monitored, rates: [], medianRate: 0, monitorLost: 0, monitorMalformed: 0, timedOut: 0 };
            row.rates.push(result.seconds > 0 ? result.received / result.seconds : 0);
            if (subject.monitored) {
              row.monitorLost += result.received - result.monitorReceived;
              row.monitorMalformed += result.monitorMalformed;
              const drops = await monitorDropsSince(device);
              if (drops !== undefined) row.monitorDropped = (row.monitorDropped ?? 0) + drops;
            }
            if (result.timedOut) row.timedOut++;
            streamRows.set(key, row);
            process.stdout.write('.');
          }
        }
        for (const subject of list) {
          if (subject.shape === 'streamer') continue;
          const device = devices.get(subject.name);
          const result = await generator.run(latencyJob(device, settings, directEndpoint(transport, folder, 'latency')));
          const key = `${transport}|${subject.name}`;
          const row = latencyRows.get(key) ?? { transport, subject: subject.name, medians: [], p99s: [], medianUs: 0, p99Us: 0, timedOut: 0 };
          row.medians.push(result.medianUs);
          row.p99s.push(result.p99Us);
          if (result.timedOut) row.timedOut++;
          latencyRows.set(key, row);
          process.stdout.write('.');
        }
      }
      process.stdout.write('\n');

      for (const [name, device] of devices) {
        if (name.startsWith('Switchyard')) {
          const memory = readMemory(device.pid);
          if (memory) peakRss[`${name} (${transport})`] = memory.peakMiB;
        }
        await stopTracked(device);
      }
    }

    const startup = await measureStartup(settings, entries);

    for (const row of streamRows.values()) row.medianRate = median(row.rates);
    for (const row of latencyRows.values()) {
      row.medianUs = median(row.medians);
      row.p99Us = median(row.p99s);
    }

    const report: BenchReport = {
      date: new Date().toISOString(),
      command: `npm run bench${settings.quick ? ' -- --quick' : ''}`,
      settings: { ...settings, frameSize: FRAME_SIZE, workerEntry: entry.name },
      machine: machine(nativeZmq, pyzmq),
      stream: [...streamRows.values()],
      latency: [...latencyRows.values()],
      startup,
      peakRssMiB: peakRss,
      skipped,
      durationSeconds: (Date.now() - startedAt) / 1000,
    };
    const markdown = renderMarkdown(report);
    mkdirSync(resultsFolder, { recursive: true });
    writeFileSync(join(resultsFolder, 'latest.json'), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(join(resultsFolder, 'latest.md'), markdown);
    console.log(markdown);
    console.log(`bench: wrote ${join('bench', 'results', 'latest.json')} and latest.md in ${report.durationSeconds.toFixed(0)} s.`);
    return 0;
  } finally {
    await stopAll();
    generator.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}

/**
 * Measures only the worker's start-up and idle memory, and prints the table
 * without touching bench/results, which keeps the last full run.
 */
async function startupOnly(settings: Settings): Promise<number> {
  const build = ensureCompiledWorker();
  if (build.error) console.log(`bench: could not build the worker (${build.error}); measuring the tsx entry only.`);
  const entries = workerEntries().filter((candidate) => candidate.name === 'source' || build.error === undefined);
  try {
    const rows = await measureStartup(settings, entries);
    console.log(startupTable(rows).join('\n'));
    console.log(`Load average at the end: ${loadavg().map((value) => value.toFixed(1)).join(', ')} on ${cpus().length} cores.`);
    return 0;
  } finally {
    await stopAll();
  }
}

/** Every device process started and not yet stopped, so that no exit path leaves one behind. */
const running = new Set<RunningDevice>();

async function startTracked(...args: Parameters<typeof startDevice>): Promise<RunningDevice> {
  const device = await startDevice(...args);
  running.add(device);
  return device;
}

async function stopTracked(device: RunningDevice): Promise<void> {
  await device.stop();
  running.delete(device);
}

async function stopAll(): Promise<void> {
  await Promise.all([...running].map((device) => stopTracked(device)));
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`bench: stopping the devices after ${signal}.`);
    void stopAll().finally(() => process.exit(130));
  });
}

process.exitCode = await main();
