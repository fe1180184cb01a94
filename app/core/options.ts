/**
 * The socket options a topology file may set: libzmq's name, value type, the
 * zeromq.js v6 property that sets it, and the socket types it applies to.
 */
import type { SocketType } from './topology.js';

/** `string-list` is one string or a list of strings, each set in turn (`subscribe`). */
export type OptionValueType = 'int' | 'bool' | 'string' | 'bytes' | 'string-list';

export interface OptionInfo {
  /** Canonical libzmq name in lower case without `ZMQ_`, such as `sndhwm`. */
  name: string;
  valueType: OptionValueType;
  /**
   * zeromq.js v6 Socket property that sets the option, such as `sendHighWaterMark`.
   * `null` when zeromq.js sets it another way: `subscribe()`, `unsubscribe()`
   * or the XPublisher `verbosity` setter.
   */
  zeromq: string | null;
  /** Socket types that accept the option and where it has an effect. */
  socketTypes: readonly SocketType[] | 'all';
  /** A value that must not be logged or exported: give it as `{ "env": "NAME" }`. */
  secret: boolean;
  help: string;
  unit?: string;
  /** Inclusive bounds of an `int` option. */
  min?: number;
  max?: number;
}

const INT32_MAX = 2_147_483_647;

/**
 * Socket types on which zeromq.js v6 defines the send-side options (sndhwm,
 * sndbuf, sndtimeo). libzmq accepts these on every type, but they only act on
 * a socket that sends, and zeromq.js has no property for them elsewhere.
 */
const SENDING: readonly SocketType[] = ['PAIR', 'PUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PUSH', 'XPUB', 'XSUB', 'STREAM'];

/** Socket types on which zeromq.js v6 defines the receive-side options (rcvhwm, rcvbuf, rcvtimeo). */
const RECEIVING: readonly SocketType[] = ['PAIR', 'SUB', 'REQ', 'REP', 'DEALER', 'ROUTER', 'PULL', 'XPUB', 'XSUB', 'STREAM'];

function int(
  name: string,
  zeromq: string,
  socketTypes: OptionInfo['socketTypes'],
  help: string,
  unit: string | undefined,
  min: number,
  max = INT32_MAX,
): OptionInfo {
  const info: OptionInfo = { name, valueType: 'int', zeromq, socketTypes, secret: false, help, min, max };
  if (unit) info.unit = unit;
  return info;
}

function bool(name: string, zeromq: string | null, socketTypes: OptionInfo['socketTypes'], help: string): OptionInfo {
  return { name, valueType: 'bool', zeromq, socketTypes, secret: false, help };
}

function text(
  name: string,
  valueType: 'string' | 'bytes',
  zeromq: string,
  socketTypes: OptionInfo['socketTypes'],
  help: string,
  secret = false,
): OptionInfo {
  return { name, valueType, zeromq, socketTypes, secret, help };
}

export const OPTIONS: readonly OptionInfo[] = [
  // Queues and flow control.
  int('sndhwm', 'sendHighWaterMark', SENDING, 'Maximum number of outgoing messages queued per peer; 0 means no limit.', 'messages', 0),
  int('rcvhwm', 'receiveHighWaterMark', RECEIVING, 'Maximum number of incoming messages queued per peer; 0 means no limit.', 'messages', 0),
  int('sndtimeo', 'sendTimeout', SENDING, 'How long a send waits when it cannot queue the message; -1 waits forever.', 'ms', -1),
  int('rcvtimeo', 'receiveTimeout', RECEIVING, 'How long a receive waits for a message; -1 waits forever.', 'ms', -1),
  int('sndbuf', 'sendBufferSize', SENDING, 'Kernel transmit buffer size; -1 keeps the OS default.', 'bytes', -1),
  int('rcvbuf', 'receiveBufferSize', RECEIVING, 'Kernel receive buffer size; -1 keeps the OS default.', 'bytes', -1),
  int('linger', 'linger', 'all', 'How long pending messages are kept after the socket closes; -1 keeps them forever.', 'ms', -1),
  int('maxmsgsize', 'maxMessageSize', 'all', 'Largest inbound message accepted; a peer that sends a larger one is disconnected. -1 means no limit.', 'bytes', -1, Number.MAX_SAFE_INTEGER),
  bool('conflate', 'conflate', ['PULL', 'PUSH', 'SUB', 'PUB', 'DEALER'], 'Keeps only the last message in each queue. Multipart messages are not supported with it.'),
  bool('immediate', 'immediate', 'all', 'Queues messages only to peers whose connection has completed.'),
  int('backlog', 'backlog', 'all', 'Maximum length of the queue of pending incoming connections.', 'connections', 0),
  int('affinity', 'affinity', 'all', 'Bitmask of the I/O threads that handle new connections of this socket; 0 means any.', undefined, 0, Number.MAX_SAFE_INTEGER),

  // Identity and routing.
  text('routing_id', 'bytes', 'routingId', ['REQ', 'REP', 'ROUTER', 'DEALER'], 'Identity this socket presents to a ROUTER peer, 1 to 255 bytes not starting with a zero byte.'),
  bool('router_mandatory', 'mandatory', ['ROUTER'], 'Reports a message to an unknown or full peer as an error instead of dropping it silently.'),
  bool('router_handover', 'handover', ['ROUTER'], 'Lets a new peer with an identity already in use take over that identity.'),
  bool('probe_router', 'probeRouter', ['ROUTER', 'DEALER', 'REQ'], 'Sends an empty message to a ROUTER peer on connect so it learns the identity at once.'),
  bool('req_correlate', 'correlate', ['REQ'], 'Adds a request id to each request and matches replies to it.'),
  bool('req_relaxed', 'relaxed', ['REQ'], 'Allows a new request before the reply to the previous one arrived.'),
  bool('stream_notify', 'notify', ['STREAM'], 'Delivers an empty message when a raw TCP peer connects or disconnects.'),

  // Publish and subscribe.
  {
    name: 'subscribe',
    valueType: 'string-list',
    zeromq: null,
    socketTypes: ['SUB', 'XSUB'],
    secret: false,
    help: 'Topic prefixes to receive; "" receives everything. A SUB socket without one receives nothing. An XSUB socket sends each as a subscription message.',
  },
  {
    name: 'unsubscribe',
    valueType: 'string-list',
    zeromq: null,
    socketTypes: ['SUB', 'XSUB'],
    secret: false,
    help: 'Topic prefixes to remove after the subscriptions were set.',
  },
  bool('xpub_verbose', null, ['XPUB'], 'Passes every subscription message to the application, duplicates included.'),
  bool('xpub_verboser', null, ['XPUB'], 'Passes every subscription and unsubscription message, duplicates included.'),
  bool('xpub_manual', 'manual', ['XPUB'], 'Lets the application decide subscriptions instead of the socket.'),
  bool('xpub_nodrop', 'noDrop', ['PUB', 'XPUB'], 'Fails a send at the high-water mark instead of dropping the message.'),
  text('xpub_welcome_msg', 'bytes', 'welcomeMessage', ['XPUB'], 'Message sent to each new subscriber when it connects.'),
  bool('invert_matching', 'invertMatching', ['PUB', 'SUB', 'XPUB'], 'Delivers messages that match no subscription instead of those that match one.'),

  // Transport.
  bool('ipv6', 'ipv6', 'all', 'Allows IPv6 addresses on tcp:// endpoints in addition to IPv4.'),
  int('tos', 'typeOfService', 'all', 'IP type-of-service byte of outgoing packets.', undefined, 0, 255),
  int('tcp_keepalive', 'tcpKeepalive', 'all', 'TCP keepalive: 1 on, 0 off, -1 keeps the OS default.', undefined, -1, 1),
  int('tcp_keepalive_idle', 'tcpKeepaliveIdle', 'all', 'Idle time before the first TCP keepalive probe; -1 keeps the OS default.', 's', -1),
  int('tcp_keepalive_cnt', 'tcpKeepaliveCount', 'all', 'Unanswered TCP keepalive probes before the connection is dropped; -1 keeps the OS default.', 'probes', -1),
  int('tcp_keepalive_intvl', 'tcpKeepaliveInterval', 'all', 'Time between TCP keepalive probes; -1 keeps the OS default.', 's', -1),
  int('tcp_maxrt', 'tcpMaxRetransmitTimeout', 'all', 'How long unacknowledged TCP data may wait before the connection is dropped; 0 keeps the OS default.', 'ms', 0),
  text('socks_proxy', 'string', 'socksProxy', 'all', 'SOCKS5 proxy "host:port" for outgoing tcp:// connections.'),

  // Connection management.
  int('reconnect_ivl', 'reconnectInterval', 'all', 'Wait before reconnecting after a connection is lost; -1 disables reconnection.', 'ms', -1),
  int('reconnect_ivl_max', 'reconnectMaxInterval', 'all', 'Upper bound of the doubling reconnect wait; 0 keeps the wait at reconnect_ivl.', 'ms', 0),
  int('connect_timeout', 'connectTimeout', 'all', 'How long a TCP connect may take before it is retried; 0 keeps the OS default.', 'ms', 0),
  int('handshake_ivl', 'handshakeInterval', 'all', 'How long the ZMTP handshake of a new connection may take; 0 means no limit.', 'ms', 0),
  int('heartbeat_ivl', 'heartbeatInterval', 'all', 'Interval of ZMTP heartbeat pings; 0 disables heartbeats.', 'ms', 0),
  int('heartbeat_timeout', 'heartbeatTimeout', 'all', 'How long to wait for a reply to a heartbeat before dropping the connection.', 'ms', 0),
  int('heartbeat_ttl', 'heartbeatTimeToLive', 'all', 'How long the peer should wait for the next heartbeat; libzmq rounds it down to 100 ms steps.', 'ms', 0, 6_553_599),

  // Security.
  bool('curve_server', 'curveServer', 'all', 'Makes this socket the CURVE server; it needs curve_secretkey.'),
  text('curve_publickey', 'string', 'curvePublicKey', 'all', 'This socket\'s CURVE public key, 40 Z85 characters.'),
  text('curve_secretkey', 'string', 'curveSecretKey', 'all', 'This socket\'s CURVE secret key, 40 Z85 characters. Give it as { "env": "NAME" }.', true),
  text('curve_serverkey', 'string', 'curveServerKey', 'all', 'The CURVE server\'s public key, 40 Z85 characters, set on a client socket.'),
  bool('plain_server', 'plainServer', 'all', 'Makes this socket the PLAIN server, which checks user names and passwords through ZAP.'),
  text('plain_username', 'string', 'plainUsername', 'all', 'User name a PLAIN client sends.'),
  text('plain_password', 'string', 'plainPassword', 'all', 'Password a PLAIN client sends. Give it as { "env": "NAME" }.', true),
  text('zap_domain', 'string', 'zapDomain', 'all', 'ZAP authentication domain of this socket.'),
];

const BY_NAME = new Map(OPTIONS.map((option) => [option.name, option]));

/** Older and PyZMQ-era names of options in the table, in lower case. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['identity', 'routing_id'],
  ['delay_attach_on_connect', 'immediate'],
  ['router_behavior', 'router_mandatory'],
  ['tcp_keepalive_count', 'tcp_keepalive_cnt'],
  ['tcp_keepalive_interval', 'tcp_keepalive_intvl'],
]);

const BY_ZEROMQ_PROPERTY = new Map(
  OPTIONS.filter((option) => option.zeromq !== null).map((option) => [option.zeromq as string, option]),
);

/**
 * Finds an option by its canonical name (`sndhwm`), its C constant
 * (`ZMQ_SNDHWM`), a PyZMQ constant or alias (`SNDHWM`, `identity`) or its
 * zeromq.js property (`sendHighWaterMark`). Names are case-insensitive except
 * zeromq.js properties, which must match exactly.
 */
export function lookupOption(name: string): OptionInfo | undefined {
  const exact = BY_NAME.get(name) ?? BY_ZEROMQ_PROPERTY.get(name);
  if (exact) return exact;

  let key = name.trim().toLowerCase();
  if (key.startsWith('zmq_')) key = key.slice(4);
  else if (key.startsWith('zmq.')) key = key.slice(4);
  key = ALIASES.get(key) ?? key;
  return BY_NAME.get(key);
}

/** Returns whether `option` applies to a socket of `type`. */
export function optionAppliesTo(option: OptionInfo, type: SocketType): boolean {
  return option.socketTypes === 'all' || option.socketTypes.includes(type);
}
