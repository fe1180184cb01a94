/**
 * Result types of the benchmark and their Markdown rendering: throughput
 * medians, ratios to the anchors, latency, start-up, memory and the targets.
 */

export interface StreamRow {
  transport: 'ipc' | 'tcp';
  /** Payload frames per message the generator sends; the ROUTER in socket adds a routing-id frame. */
  frames: number;
  subject: string;
  monitored: boolean;
  /** Messages per second received at the far end, one per round. */
  rates: number[];
  medianRate: number;
  /** Monitor copies not received, summed over rounds (data messages received minus monitor messages received). */
  monitorLost: number;
  /** Monitor messages whose prefix or frame count was wrong, summed over rounds. */
  monitorMalformed: number;
  /** Copies the device itself counted as dropped, summed over rounds; only Switchyard workers count them. */
  monitorDropped?: number;
  /** Rounds in which the receiver timed out before it got every message. */
  timedOut: number;
}

export interface LatencyRow {
  transport: 'ipc' | 'tcp';
  subject: string;
  /** Round-trip medians and 99th percentiles in microseconds, one per round. */
  medians: number[];
  p99s: number[];
  medianUs: number;
  p99Us: number;
  timedOut: number;
}

export interface StartupRow {
  entry: 'source' | 'dist' | 'bundle';
  relay: 'native' | 'javascript';
  spawnToReadyMs: number;
  samples: number[];
  /** Median CPU time (user + system) of the worker until ready. */
  cpuToReadyMs: number;
  idleRssMiB: number;
}

export interface BenchReport {
  date: string;
  command: string;
  settings: Record<string, unknown>;
  machine: {
    cores: number;
    cpu: string;
    node: string;
    zeromqJs: { libzmq: string };
    nativeRelayLibzmq: string;
    pyzmq: string;
  };
  stream: StreamRow[];
  latency: LatencyRow[];
  startup: StartupRow[];
  peakRssMiB: Record<string, number>;
  /** Rounds skipped because the run reached its time bound. */
  skipped: string[];
  durationSeconds: number;
}

/** Names of the anchors the ratios divide by. */
export const C_PROXY = 'PyZMQ zmq.proxy (C zmq_proxy)';
export const ZEROMQ_PROXY = 'zeromq.js Proxy';
export const ZEROMQ_STREAMER = 'zeromq.js Proxy streamer';
export const PYZMQ_MONITORED = 'PyZMQ monitored_queue';

/** Targets of Switchyard's worker relative to the anchors, measured side by side. */
export const TARGETS = {
  queueVersusZeromqProxy: 0.95,
  monitoredVersusPyzmq: 1.0,
  spawnToReadyMs: 100,
  idleRssMiB: 50,
};

export function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

const columns = [
  ['ipc', 1],
  ['ipc', 2],
  ['tcp', 1],
  ['tcp', 2],
] as const;

function rate(rows: StreamRow[], subject: string, transport: string, frames: number): number | undefined {
  return rows.find((row) => row.subject === subject && row.transport === transport && row.frames === frames)?.medianRate;
}

function formatRate(value: number | undefined): string {
  return value === undefined || Number.isNaN(value) ? '-' : `${(value / 1000).toFixed(0)}k`;
}

function formatRatio(value: number | undefined, anchor: number | undefined): string {
  return value === undefined || !anchor ? '-' : `${(value / anchor).toFixed(2)}x`;
}

function subjectsOf(report: BenchReport): string[] {
  return [...new Set(report.stream.map((row) => row.subject))];
}

function throughputTable(report: BenchReport): string[] {
  const lines = [
    '| device | ipc 1 frame | ipc 2 frames | tcp 1 frame | tcp 2 frames | vs C zmq_proxy (ipc 2) | vs zeromq.js Proxy (ipc 2) |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const subject of subjectsOf(report)) {
    const cells = columns.map(([transport, frames]) => formatRate(rate(report.stream, subject, transport, frames)));
    const own = rate(report.stream, subject, 'ipc', 2);
    lines.push(
      `| ${subject} | ${cells.join(' | ')} | ${formatRatio(own, rate(report.stream, C_PROXY, 'ipc', 2))} | ${formatRatio(own, rate(report.stream, ZEROMQ_PROXY, 'ipc', 2))} |`,
    );
  }
  return lines;
}

/**
 * Median over rounds of the ratio of two subjects' rates in the same round.
 * The two runs of a round follow each other within seconds, so this ratio
 * varies less with the machine's changing load than a ratio of medians.
 */
export function pairedRatio(rows: StreamRow[], subject: string, anchor: string, transport: string, frames: number): number | undefined {
  const find = (name: string) => rows.find((row) => row.subject === name && row.transport === transport && row.frames === frames);
  const own = find(subject);
  const reference = find(anchor);
  if (!own || !reference) return undefined;
  const ratios = own.rates
    .map((value, round) => {
      const base = reference.rates[round];
      return base ? value / base : undefined;
    })
    .filter((value): value is number => value !== undefined);
  return ratios.length > 0 ? median(ratios) : undefined;
}

function ratioTable(report: BenchReport, subject: string, anchor: string): string {
  const cells = columns.map(([transport, frames]) => {
    const ratio = pairedRatio(report.stream, subject, anchor, transport, frames);
    return ratio === undefined ? '-' : `${ratio.toFixed(2)}x`;
  });
  return `| ${subject} / ${anchor} | ${cells.join(' | ')} |`;
}

function cellRatios(report: BenchReport, subject: string, anchor: string): number[] {
  return columns
    .map(([transport, frames]) => pairedRatio(report.stream, subject, anchor, transport, frames))
    .filter((value): value is number => value !== undefined);
}

function minimumRatio(report: BenchReport, subject: string, anchor: string): number | undefined {
  const ratios = cellRatios(report, subject, anchor);
  return ratios.length > 0 ? Math.min(...ratios) : undefined;
}

function geometricMeanRatio(report: BenchReport, subject: string, anchor: string): number | undefined {
  const ratios = cellRatios(report, subject, anchor);
  if (ratios.length === 0) return undefined;
  return Math.exp(ratios.reduce((sum, value) => sum + Math.log(value), 0) / ratios.length);
}

function verdict(met: boolean | undefined): string {
  if (met === undefined) return 'not measured';
  return met ? 'met' : 'NOT met';
}

function targetLines(report: BenchReport): string[] {
  const queue = minimumRatio(report, 'Switchyard native queue', ZEROMQ_PROXY);
  const queueMean = geometricMeanRatio(report, 'Switchyard native queue', ZEROMQ_PROXY);
  const streamer = minimumRatio(report, 'Switchyard native streamer', ZEROMQ_STREAMER);
  const streamerMean = geometricMeanRatio(report, 'Switchyard native streamer', ZEROMQ_STREAMER);
  const monitored = minimumRatio(report, 'Switchyard native monitored-queue', PYZMQ_MONITORED);
  const monitoredMean = geometricMeanRatio(report, 'Switchyard native monitored-queue', PYZMQ_MONITORED);
  const nativeMonitor = report.stream.filter((row) => row.subject === 'Switchyard native monitored-queue');
  const lost = nativeMonitor.reduce((sum, row) => sum + row.monitorLost, 0);
  const malformed = nativeMonitor.reduce((sum, row) => sum + row.monitorMalformed, 0);
  const counted = nativeMonitor.reduce((sum, row) => sum + (row.monitorDropped ?? 0), 0);
  // The shipped worker is the bundle, then the tsc output; the tsx entry counts only when there is no build.
  const shipped = (['bundle', 'dist', 'source'] as const).find((entry) => report.startup.some((row) => row.entry === entry)) ?? 'source';
  const nativeStartup = report.startup.filter((row) => row.relay === 'native' && row.entry === shipped);
  const fastest = nativeStartup.length > 0 ? Math.min(...nativeStartup.map((row) => row.spawnToReadyMs)) : undefined;
  const idle = nativeStartup.length > 0 ? Math.max(...nativeStartup.map((row) => row.idleRssMiB)) : undefined;

  const fixed = (value: number | undefined, digits = 2): string => (value === undefined ? '-' : value.toFixed(digits));
  return [
    '| target | measured | result |',
    '| --- | --- | --- |',
    `| native queue >= ${TARGETS.queueVersusZeromqProxy}x zeromq.js Proxy (worst of 4 cells) | ${fixed(queue)}x (geometric mean ${fixed(queueMean)}x) | ${verdict(queue === undefined ? undefined : queue >= TARGETS.queueVersusZeromqProxy)} |`,
    `| native streamer >= ${TARGETS.queueVersusZeromqProxy}x zeromq.js Proxy streamer (worst of 4 cells) | ${fixed(streamer)}x (geometric mean ${fixed(streamerMean)}x) | ${verdict(streamer === undefined ? undefined : streamer >= TARGETS.queueVersusZeromqProxy)} |`,
    `| native monitored-queue >= ${TARGETS.monitoredVersusPyzmq}x PyZMQ monitored_queue (worst of 4 cells) | ${fixed(monitored)}x (geometric mean ${fixed(monitoredMean)}x) | ${verdict(monitored === undefined ? undefined : monitored >= TARGETS.monitoredVersusPyzmq)} |`,
    `| native monitor copies are [prefix, ...frames] | ${malformed} malformed | ${verdict(malformed === 0)} |`,
    `| native monitor copies not received are all counted as dropped | ${lost} not received, ${counted} counted | ${verdict(lost === counted)} |`,
    `| spawn-to-ready <= ${TARGETS.spawnToReadyMs} ms (median, ${shipped} worker, native relay) | ${fixed(fastest, 0)} ms | ${verdict(fastest === undefined ? undefined : fastest <= TARGETS.spawnToReadyMs)} |`,
    `| idle worker RSS <= ${TARGETS.idleRssMiB} MiB (${shipped} worker, native relay) | ${fixed(idle, 1)} MiB | ${verdict(idle === undefined ? undefined : idle <= TARGETS.idleRssMiB)} |`,
  ];
}

/** Renders the worker start-up rows as a Markdown table with a line that names the entries. */
export function startupTable(rows: StartupRow[]): string[] {
  return [
    'Worker entry `source` is app/worker/main.ts through tsx, `dist` is the tsc output, and `bundle` is the esbuild bundle dist/app/worker-bundle/main.cjs that the compiled engine and the desktop app start.',
    '',
    '| worker entry | relay | spawn-to-ready (median) | CPU time to ready (median) | idle RSS |',
    '| --- | --- | ---: | ---: | ---: |',
    ...rows.map(
      (row) =>
        `| ${row.entry} | ${row.relay} | ${row.spawnToReadyMs.toFixed(0)} ms | ${row.cpuToReadyMs.toFixed(0)} ms | ${row.idleRssMiB.toFixed(1)} MiB |`,
    ),
  ];
}

/** Renders the report as the Markdown page bench/results/latest.md. */
export function renderMarkdown(report: BenchReport): string {
  const m = report.machine;
  const lines: string[] = [
    `# Benchmark results, ${report.date}`,
    '',
    `Command: \`${report.command}\` (${report.durationSeconds.toFixed(0)} s). Machine: ${m.cores} cores, ${m.cpu}, Node ${m.node}.`,
    `libzmq: zeromq.js ${m.zeromqJs.libzmq}, native relay ${m.nativeRelayLibzmq}, PyZMQ ${m.pyzmq}.`,
    `Settings: ${JSON.stringify(report.settings)}.`,
    '',
    '## Targets',
    '',
    ...targetLines(report),
    '',
    '## One-way throughput (messages per second, median of rounds)',
    '',
    'Each message has 1 or 2 payload frames of 64 bytes from a DEALER; the ROUTER in socket adds a routing-id frame, so queues move 2 or 3 frames. Streamers get the messages from a PUSH and move them unchanged, as does the direct row, which has no device.',
    '',
    ...throughputTable(report),
    '',
    '## Ratios per cell',
    '',
    'Median over rounds of the ratio of two devices measured in the same round, seconds apart.',
    '',
    '| ratio | ipc 1 frame | ipc 2 frames | tcp 1 frame | tcp 2 frames |',
    '| --- | ---: | ---: | ---: | ---: |',
    ratioTable(report, 'Switchyard native queue', ZEROMQ_PROXY),
    ratioTable(report, 'Switchyard native queue', C_PROXY),
    ratioTable(report, 'Switchyard native streamer', ZEROMQ_STREAMER),
    ratioTable(report, 'Switchyard native monitored-queue', PYZMQ_MONITORED),
    ratioTable(report, 'Switchyard javascript queue', ZEROMQ_PROXY),
    ratioTable(report, 'Switchyard javascript monitored-queue', PYZMQ_MONITORED),
    ratioTable(report, ZEROMQ_PROXY, C_PROXY),
    ratioTable(report, PYZMQ_MONITORED, C_PROXY),
    '',
    '## Monitor copies',
    '',
    'Copies the generator\'s SUB socket did not receive, summed over rounds. A PUB monitor drops copies at its high-water mark when its reader falls behind; PyZMQ\'s drops are silent, Switchyard sets ZMQ_XPUB_NODROP and counts each one.',
    '',
    '| device | transport | frames | not received | counted as dropped by the device | malformed | timed-out rounds |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: |',
    ...report.stream
      .filter((row) => row.monitored)
      .map(
        (row) =>
          `| ${row.subject} | ${row.transport} | ${row.frames} | ${row.monitorLost} | ${row.monitorDropped ?? 'not counted'} | ${row.monitorMalformed} | ${row.timedOut} |`,
      ),
    '',
    '## Round-trip latency (REQ -> device -> REP, 1 frame of 64 bytes)',
    '',
    '| device | ipc median | ipc p99 | tcp median | tcp p99 |',
    '| --- | ---: | ---: | ---: | ---: |',
    ...[...new Set(report.latency.map((row) => row.subject))].map((subject) => {
      const cell = (transport: string) => report.latency.find((row) => row.subject === subject && row.transport === transport);
      const us = (value: number | undefined) => (value === undefined ? '-' : `${value.toFixed(0)} us`);
      return `| ${subject} | ${us(cell('ipc')?.medianUs)} | ${us(cell('ipc')?.p99Us)} | ${us(cell('tcp')?.medianUs)} | ${us(cell('tcp')?.p99Us)} |`;
    }),
    '',
    '## Worker start-up and memory',
    '',
    ...startupTable(report.startup),
    '',
    '| worker | peak RSS after the runs |',
    '| --- | ---: |',
    ...Object.entries(report.peakRssMiB).map(([name, value]) => `| ${name} | ${value.toFixed(1)} MiB |`),
    '',
  ];
  if (report.skipped.length > 0) {
    lines.push(`Skipped because the run reached its time bound: ${report.skipped.join(', ')}.`, '');
  }
  return `${lines.join('\n')}\n`;
}
