/**
 * ZeroMQ endpoint parsing and comparison. Parsing checks the syntax libzmq
 * expects without touching the network, so it runs in every process.
 */

export const TRANSPORTS = ['tcp', 'ipc', 'inproc', 'ws', 'wss', 'pgm', 'epgm', 'tipc', 'norm', 'vmci', 'udp'] as const;
export type Transport = (typeof TRANSPORTS)[number];

/** Whether the endpoint is bound (`zmq_bind`) or connected to (`zmq_connect`). */
export type EndpointUse = 'bind' | 'connect';

/** Kind of host in a `tcp://` or `ws://` endpoint. */
export type HostKind = 'wildcard' | 'ipv4' | 'ipv6' | 'name';

export type Endpoint =
  | {
      transport: 'tcp' | 'ws';
      text: string;
      /** Host without IPv6 brackets, lower case, such as `127.0.0.1`, `::1`, `*` or `localhost`. */
      host: string;
      hostKind: HostKind;
      /** Port number; `'*'` is a wildcard port that the OS picks at bind time (`0` is read as `'*'`). */
      port: number | '*';
      /** `ws://` only: the resource path after the port, such as `/feed`. */
      path?: string;
      /** `tcp://` connect only: the local address to connect from, the part before `;`. */
      source?: string;
    }
  | { transport: 'ipc'; text: string; path: string }
  | { transport: 'inproc'; text: string; name: string }
  | { transport: Exclude<Transport, 'tcp' | 'ws' | 'ipc' | 'inproc'>; text: string; address: string };

export type EndpointParseResult = { ok: true; endpoint: Endpoint } | { ok: false; message: string };

/**
 * Transports compiled into a libzmq build, in the shape of zeromq.js's
 * `capability` object. Core code never imports zeromq, so callers pass it in.
 */
export interface Capabilities {
  ipc?: boolean;
  pgm?: boolean;
  tipc?: boolean;
  norm?: boolean;
  curve?: boolean;
  gssapi?: boolean;
  draft?: boolean;
}

/** `capability` of zeromq.js 6.8 with its bundled libzmq 4.3.5 (draft build); a unit test compares it with the real value. */
export const BUNDLED_CAPABILITIES: Readonly<Capabilities> = {
  ipc: true,
  pgm: false,
  tipc: true,
  norm: false,
  curve: true,
  gssapi: false,
  draft: true,
};

/** Linux limit of a Unix socket path (`sun_path` is 108 bytes including the terminating zero). */
const MAX_IPC_PATH_BYTES = 107;

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?(?:\.[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?)*$/;
const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;

/**
 * Parses an endpoint string. `use` matters for `tcp://` and `ws://`: only a
 * bind may use `*` as host or port (or port 0), and only a connect may give a
 * source address before `;`.
 */
export function parseEndpoint(text: string, use: EndpointUse): EndpointParseResult {
  const match = /^([a-z]+):\/\/(.*)$/s.exec(text);
  if (!match) {
    return fail(`Endpoint "${text}" is invalid: expected "transport://address", such as "tcp://127.0.0.1:5555" or "ipc:///tmp/switchyard.sock".`);
  }
  const transport = match[1] as string;
  const address = match[2] as string;

  if (!(TRANSPORTS as readonly string[]).includes(transport)) {
    return fail(`Endpoint "${text}" uses the unknown transport "${transport}". Use one of ${TRANSPORTS.map((name) => `${name}://`).join(', ')}.`);
  }

  switch (transport as Transport) {
    case 'tcp':
      return parseTcp(text, address, use);
    case 'ws':
      return parseWs(text, address, use);
    case 'ipc':
      return parseIpc(text, address);
    case 'inproc':
      if (address === '') return fail(`Endpoint "${text}" has no name. Write "inproc://name".`);
      return { ok: true, endpoint: { transport: 'inproc', text, name: address } };
    default:
      if (address === '') return fail(`Endpoint "${text}" has no address after "${transport}://".`);
      return { ok: true, endpoint: { transport: transport as 'pgm', text, address } };
  }
}

function fail(message: string): EndpointParseResult {
  return { ok: false, message };
}

function parseTcp(text: string, address: string, use: EndpointUse): EndpointParseResult {
  let source: string | undefined;
  let target = address;
  const semicolon = address.indexOf(';');
  if (semicolon >= 0) {
    if (use === 'bind') {
      return fail(`Endpoint "${text}" gives a source address before ";", which only a connect accepts. Remove the part before ";".`);
    }
    source = address.slice(0, semicolon);
    target = address.slice(semicolon + 1);
    if (source === '') return fail(`Endpoint "${text}" has an empty source address before ";". Remove the ";" or write "tcp://source-ip:0;host:port".`);
  }

  const hostPort = splitHostPort(text, target, use);
  if (!hostPort.ok) return hostPort;
  const { host, hostKind, port } = hostPort;
  if (host === '') return fail(`Endpoint "${text}" has no host. Write "tcp://127.0.0.1:${port === '*' ? 5555 : port}".`);

  const endpoint: Endpoint = { transport: 'tcp', text, host, hostKind, port };
  if (source !== undefined) endpoint.source = source;
  return { ok: true, endpoint };
}

function parseWs(text: string, address: string, use: EndpointUse): EndpointParseResult {
  const slash = address.startsWith('[') ? address.indexOf('/', address.indexOf(']')) : address.indexOf('/');
  const hostPortText = slash >= 0 ? address.slice(0, slash) : address;
  const path = slash >= 0 ? address.slice(slash) : undefined;

  const hostPort = splitHostPort(text, hostPortText, use);
  if (!hostPort.ok) return hostPort;
  const { host, hostKind, port } = hostPort;
  if (host === '') return fail(`Endpoint "${text}" has no host. Write "ws://127.0.0.1:8080/path".`);

  const endpoint: Endpoint = { transport: 'ws', text, host, hostKind, port };
  if (path !== undefined) endpoint.path = path;
  return { ok: true, endpoint };
}

type HostPort = { ok: true; host: string; hostKind: HostKind; port: number | '*' } | { ok: false; message: string };

function splitHostPort(text: string, hostPort: string, use: EndpointUse): HostPort {
  let hostText: string;
  let portText: string;
  if (hostPort.startsWith('[')) {
    const close = hostPort.indexOf(']');
    if (close < 0) return { ok: false, message: `Endpoint "${text}" opens an IPv6 address with "[" but never closes it. Write "[::1]:5555".` };
    hostText = hostPort.slice(1, close);
    const rest = hostPort.slice(close + 1);
    if (!rest.startsWith(':')) return { ok: false, message: `Endpoint "${text}" has no port after the IPv6 address. Write "[${hostText}]:5555".` };
    portText = rest.slice(1);
    if (!isIpv6(hostText)) return { ok: false, message: `Endpoint "${text}" has the invalid IPv6 address "${hostText}". Write a valid one, such as [::1].` };
  } else {
    const colon = hostPort.lastIndexOf(':');
    if (colon < 0) return { ok: false, message: `Endpoint "${text}" has no port. Add ":port", such as "${text}:5555".` };
    hostText = hostPort.slice(0, colon);
    portText = hostPort.slice(colon + 1);
    if (hostText.includes(':')) {
      return { ok: false, message: `Endpoint "${text}" has an IPv6 address without brackets. Write "[${hostText}]:${portText}".` };
    }
  }

  const port = parsePort(text, portText, use);
  if (typeof port === 'string' && port !== '*') return { ok: false, message: port };
  const portValue = port as number | '*';

  const host = hostText.toLowerCase();
  if (host === '*') {
    if (use === 'connect') {
      return { ok: false, message: `Endpoint "${text}" connects to host "*", which only a bind accepts. Connect to a real address such as 127.0.0.1.` };
    }
    return { ok: true, host, hostKind: 'wildcard', port: portValue };
  }
  if (hostPort.startsWith('[')) return { ok: true, host, hostKind: host === '::' ? 'wildcard' : 'ipv6', port: portValue };

  const ipv4 = IPV4.exec(host);
  if (ipv4) {
    if (ipv4.slice(1).some((part) => Number(part) > 255)) {
      return { ok: false, message: `Endpoint "${text}" has the invalid IPv4 address "${host}": each part must be 0 to 255.` };
    }
    return { ok: true, host, hostKind: host === '0.0.0.0' ? 'wildcard' : 'ipv4', port: portValue };
  }
  if (host !== '' && !HOSTNAME.test(host)) {
    return { ok: false, message: `Endpoint "${text}" has the invalid host "${hostText}". Use an IP address, a host name or, for a bind, an interface name or "*".` };
  }
  return { ok: true, host, hostKind: 'name', port: portValue };
}

/** Returns the port, `'*'` for a wildcard, or an error message. */
function parsePort(text: string, portText: string, use: EndpointUse): number | string {
  if (portText === '*' || portText === '0') {
    if (use === 'bind') return '*';
    return `Endpoint "${text}" connects to port ${portText}, which only a bind accepts (the OS then picks a free port). Connect to the port the peer binds, 1 to 65535.`;
  }
  if (!/^\d+$/.test(portText)) {
    return `Endpoint "${text}" has the invalid port "${portText}". Use a number from 1 to 65535${use === 'bind' ? ', or "*" to let the OS pick one' : ''}.`;
  }
  const port = Number(portText);
  if (port < 1 || port > 65535) {
    return `Endpoint "${text}" has port ${portText}, which is out of range. Use a port from 1 to 65535.`;
  }
  return port;
}

function isIpv6(host: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(host) || !host.includes(':')) return false;
  const doubleColons = host.split('::').length - 1;
  if (doubleColons > 1) return false;
  const groups = host.split(':').filter((group) => group !== '');
  if (groups.some((group) => group.includes('.') ? !IPV4.test(group) : group.length > 4)) return false;
  const width = groups.reduce((count, group) => count + (group.includes('.') ? 2 : 1), 0);
  return doubleColons === 1 ? width < 8 : width === 8;
}

function parseIpc(text: string, path: string): EndpointParseResult {
  if (path === '') return fail(`Endpoint "${text}" has no path. Write "ipc:///tmp/name.sock", or "ipc://*" on a bind for a generated path.`);
  const bytes = new TextEncoder().encode(path).length;
  if (bytes > MAX_IPC_PATH_BYTES) {
    return fail(`Endpoint "${text}" has a path of ${bytes} bytes, but a Unix socket path may have at most ${MAX_IPC_PATH_BYTES}. Use a shorter path, for example under /tmp.`);
  }
  return { ok: true, endpoint: { transport: 'ipc', text, path } };
}

/**
 * Returns why the libzmq build described by `capabilities` cannot use the
 * endpoint's transport, or `undefined` when it can.
 */
export function unsupportedTransportReason(endpoint: Endpoint, capabilities: Capabilities = BUNDLED_CAPABILITIES): string | undefined {
  const lacking = (what: string) =>
    `Endpoint "${endpoint.text}" uses ${what}, which the bundled libzmq was built without. Use tcp:// or ipc:// instead.`;
  switch (endpoint.transport) {
    case 'tcp':
    case 'inproc':
      return undefined;
    case 'ipc':
      return capabilities.ipc ? undefined : lacking('ipc://');
    case 'pgm':
    case 'epgm':
      return capabilities.pgm ? undefined : lacking(`${endpoint.transport}:// (PGM multicast)`);
    case 'tipc':
      return capabilities.tipc ? undefined : lacking('tipc://');
    case 'norm':
      return capabilities.norm ? undefined : lacking('norm://');
    case 'ws':
      // libzmq 4.3.5 has the WebSocket transport only in draft builds.
      return capabilities.draft ? undefined : lacking('ws:// (a draft transport)');
    case 'wss':
      // NOTE: zeromq.js reports no flag for wss:// or vmci://. The bundled build
      // rejects both with EPROTONOSUPPORT, so a build with them is assumed not to exist.
      return lacking('wss:// (WebSocket over TLS)');
    case 'vmci':
      return lacking('vmci://');
    case 'udp':
      return `Endpoint "${endpoint.text}" uses udp://, which works only with the draft RADIO and DISH sockets that devices do not use. Use tcp:// instead.`;
  }
}

/**
 * Returns a canonical spelling for comparing endpoints: transport, lower-case host and
 * port. Different spellings of one address (`localhost` and `127.0.0.1`) stay
 * different here, because only the OS resolver can tell that they are equal.
 */
export function endpointKey(endpoint: Endpoint): string {
  switch (endpoint.transport) {
    case 'tcp':
    case 'ws': {
      const host = endpoint.hostKind === 'ipv6' || endpoint.host === '::' ? `[${endpoint.host}]` : endpoint.host;
      return `${endpoint.transport}://${host}:${endpoint.port}${endpoint.path ?? ''}`;
    }
    case 'ipc':
      return `ipc://${endpoint.path}`;
    case 'inproc':
      return `inproc://${endpoint.name}`;
    default:
      return `${endpoint.transport}://${endpoint.address}`;
  }
}

/** Hosts that a connect on this machine can use to reach a socket bound on all interfaces. */
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '::1', '0.0.0.0', '*', '::']);
/** Spellings of the IPv4 loopback address that libzmq resolves alike while ipv6 is off. */
const IPV4_LOOPBACK = new Set(['127.0.0.1', 'localhost']);

/**
 * Returns whether a connect to `connect` reaches a socket bound at `bind`, as
 * far as the text of the two endpoints shows. A bind on all interfaces (`*`,
 * `0.0.0.0`, `::`) matches a connect to a local address of the same port.
 * `localhost` and `127.0.0.1` match each other. A bind to a wildcard port
 * matches nothing, because its port is known only after it binds.
 */
export function bindReaches(bind: Endpoint, connect: Endpoint): boolean {
  if (bind.transport !== connect.transport) return false;
  if (bind.transport === 'tcp' || bind.transport === 'ws') {
    if (connect.transport !== bind.transport) return false;
    if (bind.port === '*' || bind.port !== connect.port) return false;
    if ((bind.path ?? '/') !== (connect.path ?? '/') && bind.transport === 'ws') return false;
    if (bind.host === connect.host) return true;
    if (bind.hostKind === 'wildcard') return LOCAL_HOSTS.has(connect.host);
    return IPV4_LOOPBACK.has(bind.host) && IPV4_LOOPBACK.has(connect.host);
  }
  return endpointKey(bind) === endpointKey(connect);
}

/**
 * Returns whether two binds would compete for one address: the same endpoint,
 * or a TCP port bound both on all interfaces and on one address. Wildcard
 * ports never conflict.
 */
export function bindsConflict(first: Endpoint, second: Endpoint): boolean {
  if (first.transport !== second.transport) return false;
  if (first.transport === 'tcp' || first.transport === 'ws') {
    if (second.transport !== first.transport) return false;
    if (first.port === '*' || first.port !== second.port) return false;
    if (first.host === second.host) return true;
    return first.hostKind === 'wildcard' || second.hostKind === 'wildcard';
  }
  if (first.transport === 'ipc' && second.transport === 'ipc' && first.path === '*') return false;
  return endpointKey(first) === endpointKey(second);
}
