/**
 * Reading and writing topology files in JSON (canonical) and YAML. Reading
 * returns every fault of the input as problems with a JSON path or a line
 * and column instead of throwing, and a file that fails the schema yields no document, so
 * the caller keeps what it had open.
 */
import YAML, { type ErrorCode } from 'yaml';
import type { Problem } from './contract.js';
import { JsonSyntaxError, parseJsonText } from './json-text.js';
import { lookupOption } from './options.js';
import { isNewerVersion, versionProblem } from './schema-problems.js';
import { SOCKET_ROLES, topologySchema, type DeviceSpec, type SocketSpec, type Topology } from './topology.js';
import { validateTopology } from './validate.js';

export type TopologyFormat = 'json' | 'yaml';

export type ReadResult = { ok: true; document: Topology; problems: Problem[] } | { ok: false; problems: Problem[] };

/**
 * Parses and validates a topology file. Without `format`, text whose first
 * non-blank character is `{` is read as JSON and anything else as YAML.
 * Option aliases such as `ZMQ_SNDHWM` and `identity` are renamed to their
 * canonical names without a problem being reported. On success, `problems`
 * contains the validation errors and warnings of the document. When the
 * schema rejects the document, `problems` contains the schema errors and the
 * rule problems of every device, or socket, that parses by itself.
 */
export function readTopology(text: string, format?: TopologyFormat): ReadResult {
  const chosen = format ?? (text.trimStart().startsWith('{') ? 'json' : 'yaml');
  const parsed = chosen === 'json' ? parseJson(text) : parseYaml(text);
  if (!parsed.ok) return parsed;

  const raw = parsed.value;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return fail(
      '$',
      `The file must contain an object with "version", "name" and "devices", but it contains ${describeTop(raw)}. Start from { "version": 1, "name": "my-topology", "devices": [] }.`,
    );
  }
  if (isNewerVersion(raw)) return { ok: false, problems: [versionProblem(raw) as Problem] };

  const canonical = canonicaliseOptionNames(raw);
  const result = topologySchema.safeParse(canonical);
  // validateTopology adds the rule checks of every device and socket that parses, so one run reports both kinds.
  if (!result.success) return { ok: false, problems: validateTopology(canonical) };

  return { ok: true, document: result.data, problems: validateTopology(result.data) };
}

function fail(path: string, message: string): { ok: false; problems: Problem[] } {
  return { ok: false, problems: [{ severity: 'error', path, message }] };
}

function describeTop(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  return `a ${typeof value}`;
}

type ParseOutcome = { ok: true; value: unknown } | { ok: false; problems: Problem[] };

function parseJson(text: string): ParseOutcome {
  try {
    return { ok: true, value: parseJsonText(text) };
  } catch (error) {
    if (error instanceof JsonSyntaxError) return fail('$', error.message);
    // The parser recurses once per nesting level, so absurd nesting exhausts the stack.
    if (error instanceof RangeError) {
      return fail('$', 'Invalid JSON: the values are nested too deeply to read. A topology file needs fewer than a hundred levels, so remove the extra nesting.');
    }
    throw error;
  }
}

function parseYaml(text: string): ParseOutcome {
  // YAML 1.2 core schema: "yes", "no" and "on" stay strings, as JSON readers expect.
  const document = YAML.parseDocument(text, { version: '1.2', uniqueKeys: true, prettyErrors: true });
  const first = document.errors[0];
  if (first) {
    const position = first.linePos?.[0];
    const where = position ? ` at line ${position.line}, column ${position.col}` : '';
    const reason = (first.message.split('\n')[0] ?? first.message).replace(/ at line \d+, column \d+:?$/, '');
    return fail('$', `Invalid YAML${where}: ${yamlReason(first.code, reason)}`);
  }
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: 100 }) };
  } catch (error) {
    // toJS throws when aliases expand past maxAliasCount (a "billion laughs" file).
    if (error instanceof ReferenceError || error instanceof RangeError) {
      const fix = /excessive alias count/i.test(error.message)
        ? 'Use fewer aliases (*name), or write the values out.'
        : 'Define each anchor (&name) before its aliases (*name).';
      return fail('$', `Invalid YAML: ${sentence(error.message)} ${fix}`);
    }
    throw error;
  }
}

/** The fix for each kind of YAML syntax error, by the `code` of the yaml package's YAMLError. */
const YAML_FIXES: Partial<Record<ErrorCode, string>> = {
  TAB_AS_INDENT: 'Indent with spaces.',
  DUPLICATE_KEY: 'Keep only one of the repeated keys.',
  BAD_INDENT: 'Align the entries of each mapping and list at the same column, and close a [ or { on a line indented further than its key.',
  BAD_DQ_ESCAPE: 'Write a backslash as \\\\ inside double quotes, or use single quotes.',
  MISSING_CHAR: 'Add the missing character.',
  BLOCK_AS_IMPLICIT_KEY: 'Put the nested mapping on its own indented lines, or quote a value that contains ": ".',
  MULTILINE_IMPLICIT_KEY: 'Put each key and its colon on one line, and check the line for a missing ": ".',
  BAD_SCALAR_START: 'Put the value in quotes.',
  UNEXPECTED_TOKEN: 'Remove the character or put the value in quotes.',
  BAD_ALIAS: 'Define the anchor (&name) before the alias (*name).',
};

/** Returns the yaml package's reason as a sentence followed by the fix. */
function yamlReason(code: ErrorCode, reason: string): string {
  // The library's advice for several documents names its own API, which helps no user.
  if (code === 'MULTIPLE_DOCS') return 'The file contains more than one YAML document. Keep one topology per file and remove the "---" line and what follows it.';
  return `${sentence(reason)} ${YAML_FIXES[code] ?? 'Correct the YAML syntax at that position.'}`;
}

/** Returns `text` with a capital first letter and a full stop at the end. */
function sentence(text: string): string {
  const trimmed = text.trim().replace(/[.:;,]*$/, '');
  return `${trimmed.charAt(0).toUpperCase()}${trimmed.slice(1)}.`;
}

/**
 * Returns a copy of the raw document with alias option names (`ZMQ_SNDHWM`,
 * `identity`) replaced by canonical ones. An alias whose canonical name is
 * already present stays as it is, so validation reports the duplicate.
 */
function canonicaliseOptionNames(raw: object): unknown {
  const devices = (raw as { devices?: unknown }).devices;
  if (!Array.isArray(devices)) return raw;

  const renamedDevices = devices.map((device: unknown) => {
    if (device === null || typeof device !== 'object' || Array.isArray(device)) return device;
    const copy: Record<string, unknown> = { ...(device as Record<string, unknown>) };
    for (const role of SOCKET_ROLES) {
      const socket = copy[role];
      if (socket === null || typeof socket !== 'object' || Array.isArray(socket)) continue;
      const options = (socket as { options?: unknown }).options;
      if (options === null || typeof options !== 'object' || Array.isArray(options)) continue;
      copy[role] = { ...socket, options: renameOptions(options as Record<string, unknown>) };
    }
    return copy;
  });
  return { ...raw, devices: renamedDevices };
}

function renameOptions(options: Record<string, unknown>): Record<string, unknown> {
  const renamed: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(options)) {
    const canonical = lookupOption(name)?.name;
    const target = canonical && !(canonical in options) && !(canonical in renamed) ? canonical : name;
    Object.defineProperty(renamed, target, { value, enumerable: true, writable: true, configurable: true });
  }
  return renamed;
}

/**
 * Serialises a topology as JSON (two-space indent) or YAML, with keys in the
 * schema's order, so the same document always gives the same text. Reading
 * the output back returns a document deep-equal to `document`.
 */
export function writeTopology(document: Topology, format: TopologyFormat): string {
  const ordered = orderTopology(document);
  if (format === 'json') return `${JSON.stringify(ordered, null, 2)}\n`;
  return YAML.stringify(ordered, { version: '1.2', lineWidth: 0 });
}

function orderTopology(document: Topology): Topology {
  const ordered: Topology = {
    ...(document.$schema !== undefined ? { $schema: document.$schema } : {}),
    version: document.version,
    name: document.name,
    devices: document.devices.map(orderDevice),
  };
  if (document.layout !== undefined) {
    ordered.layout = Object.fromEntries(Object.entries(document.layout).map(([id, point]) => [id, { x: point.x, y: point.y }]));
  }
  return ordered;
}

function orderDevice(device: DeviceSpec): DeviceSpec {
  const ordered: DeviceSpec = { id: device.id, kind: device.kind, in: orderSocket(device.in), out: orderSocket(device.out) };
  if (device.mon) ordered.mon = orderSocket(device.mon);
  if (device.ctrl) ordered.ctrl = orderSocket(device.ctrl);
  if (device.prefix) {
    ordered.prefix = {};
    if (device.prefix.in !== undefined) ordered.prefix.in = device.prefix.in;
    if (device.prefix.out !== undefined) ordered.prefix.out = device.prefix.out;
  }
  if (device.restart) ordered.restart = device.restart;
  return ordered;
}

function orderSocket(socket: SocketSpec): SocketSpec {
  const ordered: SocketSpec = { type: socket.type };
  if (socket.bind) ordered.bind = [...socket.bind];
  if (socket.connect) ordered.connect = [...socket.connect];
  if (socket.options) ordered.options = { ...socket.options };
  return ordered;
}
