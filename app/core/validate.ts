/**
 * Topology validation: schema errors first, then the rules a schema cannot
 * express (endpoints, options, peer types, device kinds). Each problem names
 * the JSON path in the file, the offending value and the fix.
 */
import type { Problem } from './contract.js';
import {
  BUNDLED_CAPABILITIES,
  bindReaches,
  bindsConflict,
  parseEndpoint,
  unsupportedTransportReason,
  type Capabilities,
  type Endpoint,
  type EndpointUse,
} from './endpoint.js';
import { describeValue, jsonPath, type PathSegment } from './json-path.js';
import { lookupOption, optionAppliesTo, OPTIONS, type OptionInfo } from './options.js';
import { canPair, CONTROL_TYPES, KIND_SOCKET_TYPES, MONITOR_TYPES, PEER_TYPES, RECEIVING_TYPES, SENDING_TYPES } from './peers.js';
import { isNewerVersion, schemaProblems, versionProblem } from './schema-problems.js';
import { closestName } from './suggest.js';
import {
  deviceSchema,
  deviceSockets,
  isEnvReference,
  SOCKET_ROLES,
  socketSchema,
  topologySchema,
  type DeviceSpec,
  type OptionValue,
  type SocketRole,
  type SocketSpec,
  type SocketType,
} from './topology.js';

export interface ValidateOptions {
  /** Transports of the libzmq build the devices will run with; defaults to zeromq.js 6.8's bundled build. */
  capabilities?: Capabilities;
}

/** One endpoint of one socket, with where it sits in the file. */
interface EndpointUseSite {
  deviceIndex: number;
  device: string;
  role: SocketRole;
  type: SocketType;
  use: EndpointUse;
  endpoint: Endpoint;
  path: string;
}

/**
 * Validates a topology document of any shape. Returns every problem found,
 * errors and warnings mixed, in file order per rule. An empty list means the
 * document is valid and has nothing to warn about.
 */
export function validateTopology(document: unknown, options: ValidateOptions = {}): Problem[] {
  const capabilities = options.capabilities ?? BUNDLED_CAPABILITIES;

  // A newer file may be valid in a way this build cannot judge, so the version is its only problem.
  if (isNewerVersion(document)) return [versionProblem(document) as Problem];

  const parsed = topologySchema.safeParse(document);
  if (parsed.success) return checkDevices(parsed.data.devices.map((device) => ({ complete: true, device })), capabilities);

  // Check the rules on every device, or failing that every socket, that parses
  // by itself, so that one run reports endpoint and option problems beside the
  // schema errors of another part of the file.
  const problems = schemaProblems(document, parsed.error.issues);
  const rawDevices = (document as { devices?: unknown } | null)?.devices;
  if (Array.isArray(rawDevices)) problems.push(...checkDevices(rawDevices.map(parsePart), capabilities));
  return problems;
}

/** Parts of one device that parse by themselves: the whole device, or else its id and each socket that parses. */
type DevicePart = { complete: true; device: DeviceSpec } | { complete: false; id: string; sockets: Array<[SocketRole, SocketSpec]> };

function parsePart(raw: unknown, index: number): DevicePart {
  const whole = deviceSchema.safeParse(raw);
  if (whole.success) return { complete: true, device: whole.data };

  const fields = raw !== null && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
  const id = typeof fields.id === 'string' ? fields.id : `$.devices[${index}]`;
  const sockets: Array<[SocketRole, SocketSpec]> = [];
  for (const role of SOCKET_ROLES) {
    const socket = socketSchema.safeParse(fields[role]);
    if (socket.success) sockets.push([role, socket.data]);
  }
  return { complete: false, id, sockets };
}

/** Checks the parts of each device that parsed, in file order, then the rules between their endpoints. */
function checkDevices(parts: readonly DevicePart[], capabilities: Capabilities): Problem[] {
  const problems: Problem[] = [];
  const sites: EndpointUseSite[] = [];
  const seenIds = new Map<string, number>();

  parts.forEach((part, index) => {
    if (!part.complete) {
      for (const [role, socket] of part.sockets) {
        problems.push(...checkOptions(part.id, index, role, socket));
        problems.push(...checkSocketEndpoints(part.id, index, role, socket, capabilities, sites));
      }
      return;
    }
    const device = part.device;

    const firstIndex = seenIds.get(device.id);
    if (firstIndex === undefined) seenIds.set(device.id, index);
    else {
      problems.push(
        error([`devices`, index, 'id'], `Device id "${device.id}" is already used by $.devices[${firstIndex}]. Give each device a unique id.`),
      );
    }

    problems.push(...checkDeviceShape(device, index));
    for (const [role, socket] of deviceSockets(device)) {
      problems.push(...checkOptions(device.id, index, role, socket));
      problems.push(...checkSocketEndpoints(device.id, index, role, socket, capabilities, sites));
    }
  });

  problems.push(...checkTopologyEndpoints(sites));
  return problems;
}

function error(segments: readonly PathSegment[], message: string): Problem {
  return { severity: 'error', path: jsonPath(segments), message };
}

function warning(segments: readonly PathSegment[], message: string): Problem {
  return { severity: 'warning', path: jsonPath(segments), message };
}

/** Checks the socket types against the roles and the device kind. */
function checkDeviceShape(device: DeviceSpec, index: number): Problem[] {
  const problems: Problem[] = [];
  const at = (...rest: PathSegment[]) => ['devices', index, ...rest];
  const name = `Device "${device.id}"`;

  if (device.kind === 'monitored-queue' && !device.mon) {
    problems.push(
      error(at(), `${name} is a monitored queue without a "mon" socket. Add "mon": { "type": "PUB", "bind": ["tcp://127.0.0.1:5561"] }, or change its kind to "queue".`),
    );
  }

  if (!RECEIVING_TYPES.includes(device.in.type)) {
    problems.push(error(at('in', 'type'), `${name} has a ${device.in.type} in socket, which cannot receive messages. Use a type that receives, such as ${suggestedType(device, 'in')}.`));
  }
  if (!SENDING_TYPES.includes(device.out.type)) {
    problems.push(error(at('out', 'type'), `${name} has a ${device.out.type} out socket, which cannot send messages. Use a type that sends, such as ${suggestedType(device, 'out')}.`));
  }
  if (device.mon && !MONITOR_TYPES.includes(device.mon.type)) {
    problems.push(error(at('mon', 'type'), `${name} has a ${device.mon.type} monitor socket. A monitor socket only sends copies, so use PUB (usual), XPUB, PUSH, PAIR or DEALER.`));
  }
  if (device.ctrl && !CONTROL_TYPES.includes(device.ctrl.type)) {
    problems.push(error(at('ctrl', 'type'), `${name} has a ${device.ctrl.type} control socket. Steering needs PAIR or REP, as in libzmq's zmq_proxy_steerable.`));
  }

  for (const role of ['in', 'out'] as const) {
    const type = device[role].type;
    if (type === 'REQ' || type === 'REP') {
      problems.push(
        warning(
          at(role, 'type'),
          `${name} has a ${type} ${role} socket. ${type} enforces a strict send/receive order, so a device stalls after one message. Use ${type === 'REQ' ? 'DEALER' : 'ROUTER'} instead.`,
        ),
      );
    }
  }

  if (device.prefix && !device.mon) {
    problems.push(
      warning(at('prefix'), `${name} sets "prefix" but has no "mon" socket, so the prefixes are never sent. Add a "mon" socket or remove "prefix".`),
    );
  }

  const fit = KIND_SOCKET_TYPES[device.kind];
  if (fit) {
    for (const role of ['in', 'out'] as const) {
      const type = device[role].type;
      if (!fit[role].includes(type) && type !== 'REQ' && type !== 'REP') {
        problems.push(
          warning(
            at(role, 'type'),
            `${name} is a ${device.kind} with a ${type} ${role} socket; a ${device.kind} usually has ${fit[role].join(' or ')} there. Change the socket type, or change the kind to one that fits ${device.in.type} to ${device.out.type}, such as "monitored-queue" or "queue".`,
          ),
        );
      }
    }
  }
  return problems;
}

function suggestedType(device: DeviceSpec, role: 'in' | 'out'): SocketType {
  const fit = KIND_SOCKET_TYPES[device.kind];
  if (fit) return fit[role][0] as SocketType;
  return role === 'in' ? 'ROUTER' : 'DEALER';
}

/** Checks option names, value types and socket types, and subscriptions on SUB. */
function checkOptions(deviceId: string, index: number, role: SocketRole, socket: SocketSpec): Problem[] {
  const problems: Problem[] = [];
  const at = (...rest: PathSegment[]) => ['devices', index, role, ...rest];
  const canonicalSeen = new Map<string, string>();
  const options = socket.options ?? {};

  for (const [name, value] of Object.entries(options)) {
    const path = at('options', name);
    const option = lookupOption(name);
    if (!option) {
      problems.push(error(path, unknownOptionMessage(name)));
      continue;
    }

    const previous = canonicalSeen.get(option.name);
    if (previous !== undefined) {
      problems.push(error(path, `Option "${name}" sets ${option.name}, which "${previous}" already sets on this socket. Keep only one of them.`));
      continue;
    }
    canonicalSeen.set(option.name, name);

    if (!optionAppliesTo(option, socket.type)) {
      const types = option.socketTypes === 'all' ? 'every type' : option.socketTypes.join(', ');
      problems.push(error(path, `Option "${option.name}" has no effect on a ${socket.type} socket; it applies to ${types}. Remove it or change the socket type.`));
    }

    const valueProblem = checkOptionValue(option, value);
    if (valueProblem) problems.push(error(path, valueProblem));

    if (option.secret && !isEnvReference(value)) {
      problems.push(
        warning(path, `Option "${option.name}" is a secret written into the file. Give it as { "env": "NAME" } and set NAME in the environment, so the file can be shared.`),
      );
    }
  }

  problems.push(...checkSecurity(deviceId, index, role, socket, canonicalSeen));

  if (socket.type === 'SUB' && !canonicalSeen.has('subscribe')) {
    problems.push(
      warning(at('type'), `The ${role} socket of device "${deviceId}" is a SUB socket without "subscribe", so it receives nothing. Add "subscribe": "" to receive every message, or list topic prefixes.`),
    );
  }
  return problems;
}

/**
 * Checks that CURVE options come in the sets libzmq needs: a server needs its
 * secret key, and a client needs the server's public key and its own key pair.
 * A missing key makes the handshake fail without any error on either side.
 */
function checkSecurity(deviceId: string, index: number, role: SocketRole, socket: SocketSpec, present: ReadonlyMap<string, string>): Problem[] {
  const problems: Problem[] = [];
  const socketName = `The ${role} socket of device "${deviceId}"`;
  const curveServer = socket.options?.[present.get('curve_server') ?? ''];

  if (curveServer === true && !present.has('curve_secretkey')) {
    problems.push(
      error(['devices', index, role, 'options', present.get('curve_server') as string], `${socketName} is a CURVE server without "curve_secretkey". Add "curve_secretkey": { "env": "NAME" } with the server's secret key.`),
    );
  }
  if (present.has('curve_serverkey')) {
    const missing = ['curve_publickey', 'curve_secretkey'].filter((name) => !present.has(name));
    if (missing.length > 0) {
      problems.push(
        error(
          ['devices', index, role, 'options', present.get('curve_serverkey') as string],
          `${socketName} is a CURVE client without ${missing.map((name) => `"${name}"`).join(' and ')}. A CURVE client needs its own key pair as well as the server's public key, so add ${missing.join(' and ')}.`,
        ),
      );
    }
  }
  return problems;
}

function unknownOptionMessage(name: string): string {
  if (name.toLowerCase() === 'hwm' || name.toLowerCase() === 'zmq_hwm') {
    return `Unknown option "${name}". PyZMQ's hwm sets both high-water marks, so write "sndhwm" and "rcvhwm" instead.`;
  }
  const closest = closestOptionName(name);
  const hint = closest ? ` Did you mean "${closest}"?` : '';
  return `Unknown option "${name}".${hint} Use a libzmq option name without ZMQ_, such as sndhwm, linger or subscribe.`;
}

/** Returns the option name within two edits of `name`, if there is one. */
function closestOptionName(name: string): string | undefined {
  return closestName(name.replace(/^zmq_/i, ''), OPTIONS.map((option) => option.name));
}

/** Returns why `value` does not fit the option, or `undefined` when it does. */
export function checkOptionValue(option: OptionInfo, value: OptionValue): string | undefined {
  if (isEnvReference(value)) return undefined;

  switch (option.valueType) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) {
        return `Option "${option.name}" takes an integer${unitText(option)}, but the value is ${describeValue(value)}. ${integerFix(option, value)}`;
      }
      if ((option.min !== undefined && value < option.min) || (option.max !== undefined && value > option.max)) {
        return `Option "${option.name}" is ${value}${unitText(option)}, outside its range ${option.min} to ${option.max}. Choose a value in that range.`;
      }
      return undefined;
    }
    case 'bool':
      if (typeof value !== 'boolean') return `Option "${option.name}" takes true or false, but the value is ${describeValue(value)}. Write true or false without quotes.`;
      return undefined;
    case 'string':
    case 'bytes':
      if (typeof value !== 'string') return `Option "${option.name}" takes a string, but the value is ${describeValue(value)}. Write it in quotes.`;
      if (option.name === 'routing_id' && (value === '' || value.startsWith('\0') || new TextEncoder().encode(value).length > 255)) {
        return `Option "routing_id" is ${describeValue(value)}, but libzmq requires 1 to 255 bytes that do not start with a zero byte. Choose a name such as "worker-1".`;
      }
      return undefined;
    case 'string-list':
      if (typeof value === 'string' || Array.isArray(value)) return undefined;
      return `Option "${option.name}" takes a string or a list of strings, but the value is ${describeValue(value)}. Write it as "topic" or ["topic-a", "topic-b"].`;
  }
}

/** Returns the fix for a non-integer value of an integer option: the number without quotes, or the allowed range. */
function integerFix(option: OptionInfo, value: OptionValue): string {
  if (typeof value === 'string' && /^\s*-?\d+\s*$/.test(value)) return `Write ${value.trim()} without quotes.`;
  if (option.min !== undefined && option.max !== undefined) return `Write a whole number from ${option.min} to ${option.max} without quotes.`;
  return 'Write a whole number without quotes.';
}

function unitText(option: OptionInfo): string {
  return option.unit ? ` (${option.unit})` : '';
}

/** Parses every endpoint of a socket, reports the bad ones and collects the good ones into `sites`. */
function checkSocketEndpoints(
  deviceId: string,
  index: number,
  role: SocketRole,
  socket: SocketSpec,
  capabilities: Capabilities,
  sites: EndpointUseSite[],
): Problem[] {
  const problems: Problem[] = [];
  const ipv6Enabled = socket.options !== undefined && Object.entries(socket.options).some(([name, value]) => lookupOption(name)?.name === 'ipv6' && value === true);
  const uses: Array<[EndpointUse, string[]]> = [
    ['bind', socket.bind ?? []],
    ['connect', socket.connect ?? []],
  ];

  if (uses.every(([, list]) => list.length === 0)) {
    problems.push(warning(['devices', index, role], `The ${role} socket of device "${deviceId}" neither binds nor connects, so no peer can reach it. Add a "bind" or "connect" endpoint.`));
  }

  for (const [use, list] of uses) {
    list.forEach((text, position) => {
      const segments = ['devices', index, role, use, position];
      const earlier = list.indexOf(text);
      if (use === 'connect' && earlier < position) {
        // Each connect opens its own pipe, so a repeated endpoint gets a double share of load-balanced messages.
        problems.push(warning(segments, `Endpoint "${text}" is already connected at ${role}.connect[${earlier}], so this peer gets twice the share of messages. Remove the repeated entry.`));
      }
      const parsed = parseEndpoint(text, use);
      if (!parsed.ok) {
        problems.push(error(segments, parsed.message));
        return;
      }
      const endpoint = parsed.endpoint;

      const unsupported = unsupportedTransportReason(endpoint, capabilities);
      if (unsupported) problems.push(error(segments, unsupported));

      if ((endpoint.transport === 'tcp' || endpoint.transport === 'ws') && endpoint.hostKind === 'ipv6' && !ipv6Enabled) {
        problems.push(error(segments, `Endpoint "${text}" is an IPv6 address, but the ${role} socket has IPv6 off, so libzmq cannot use it. Add "ipv6": true to the socket's options.`));
      }
      if (use === 'bind' && (endpoint.transport === 'tcp' || endpoint.transport === 'ws') && endpoint.hostKind === 'wildcard') {
        problems.push(
          warning(segments, `Endpoint "${text}" binds on all network interfaces, so other machines can reach this socket. Bind to 127.0.0.1 unless they should.`),
        );
      }
      sites.push({ deviceIndex: index, device: deviceId, role, type: socket.type, use, endpoint, path: jsonPath(segments) });
    });
  }
  return problems;
}

/** Checks rules between sockets: duplicate binds, inproc across processes, peer types, dangling connects. */
function checkTopologyEndpoints(sites: readonly EndpointUseSite[]): Problem[] {
  const problems: Problem[] = [];
  const binds = sites.filter((site) => site.use === 'bind');
  const connects = sites.filter((site) => site.use === 'connect');

  binds.forEach((bind, position) => {
    const earlier = binds.slice(0, position).find((other) => bindsConflict(other.endpoint, bind.endpoint));
    if (earlier) {
      const same = earlier.endpoint.text === bind.endpoint.text ? 'the same endpoint' : `"${earlier.endpoint.text}"`;
      problems.push({
        severity: 'error',
        path: bind.path,
        message: `Endpoint "${bind.endpoint.text}" is already bound by device "${earlier.device}" (${earlier.role}) as ${same}, at ${earlier.path}. Two sockets cannot bind one address. Give one of them another port or path.`,
      });
    }
  });

  for (const site of sites) {
    if (site.endpoint.transport !== 'inproc') continue;
    const otherDevice = sites.find(
      (other) => other.endpoint.transport === 'inproc' && other.endpoint.name === (site.endpoint as { name: string }).name && other.device !== site.device,
    );
    if (otherDevice) {
      problems.push({
        severity: 'error',
        path: site.path,
        message: `Endpoint "${site.endpoint.text}" is also used by device "${otherDevice.device}", but each device runs in its own process and inproc:// reaches only sockets in the same process. Use ipc:// or tcp://127.0.0.1 between devices.`,
      });
    } else {
      problems.push({
        severity: 'warning',
        path: site.path,
        message: `Endpoint "${site.endpoint.text}" is reachable only from inside device "${site.device}"'s own process, so no client can use it. Use ipc:// or tcp://127.0.0.1 instead.`,
      });
    }
  }

  for (const connect of connects) {
    if (connect.endpoint.transport === 'inproc') continue;
    const peers = binds.filter((bind) => bindReaches(bind.endpoint, connect.endpoint));
    if (peers.length === 0) {
      problems.push({
        severity: 'warning',
        path: connect.path,
        message: `No device in this topology binds "${connect.endpoint.text}", so the ${connect.role} socket of device "${connect.device}" waits for a program outside it to bind there. Check the address if that is not intended.`,
      });
      continue;
    }
    for (const bind of peers) {
      if (canPair(connect.type, bind.type)) continue;
      problems.push({
        severity: 'error',
        path: connect.path,
        message:
          `The ${connect.type} ${connect.role} socket of device "${connect.device}" connects to the ${bind.type} ${bind.role} socket of device "${bind.device}", but ZeroMQ does not pair ${connect.type} with ${bind.type} and drops the connection silently. ` +
          `A ${connect.type} socket pairs with ${PEER_TYPES[connect.type].join(' or ')}.`,
      });
    }
  }
  return problems;
}
