/**
 * Turns a device spec from a topology file into the fully specified form a
 * worker receives: defaults filled in, option names canonical and
 * `{ "env": "NAME" }` references replaced by the variable's value.
 */
import { lookupOption } from './options.js';
import {
  devicePrefixes,
  isEnvReference,
  type DeviceSpec,
  type OptionValue,
  type SocketRole,
  type SocketSpec,
} from './topology.js';
import type { ResolvedDevice, ResolvedSocket } from './worker-protocol.js';

type ResolvedOptionValue = ResolvedSocket['options'][string];

/** An option refers to an environment variable that is unset or empty. */
export class MissingSecretError extends Error {
  override readonly name = 'MissingSecretError';

  constructor(
    readonly device: string,
    readonly role: SocketRole,
    readonly option: string,
    readonly variable: string,
  ) {
    super(
      `Option "${option}" of device "${device}" (${role}) reads environment variable ${variable}, which is unset or empty. ` +
        `Set ${variable} in the environment that starts Switchyard, or give the option a value in the topology file.`,
    );
  }
}

/** An environment variable contains text that does not fit the option's value type. */
export class InvalidEnvValueError extends Error {
  override readonly name = 'InvalidEnvValueError';

  constructor(
    readonly device: string,
    readonly role: SocketRole,
    readonly option: string,
    readonly variable: string,
    expected: string,
  ) {
    super(
      `Option "${option}" of device "${device}" (${role}) reads environment variable ${variable}, whose value is not ${expected}. ` +
        `Set ${variable} to ${expected}.`,
    );
  }
}

/**
 * Resolves one device for a worker. Option names are rewritten to their
 * canonical libzmq names; names not in the option table are passed through
 * unchanged, because reporting them is validation's job.
 *
 * @throws MissingSecretError when an `{ env }` reference names a variable that
 *   is unset or empty in `env`.
 * @throws InvalidEnvValueError when such a variable feeds an `int` or `bool`
 *   option and its text is not an integer or `true`/`false`/`1`/`0`.
 */
export function resolveDevice(device: DeviceSpec, env: Record<string, string | undefined>): ResolvedDevice {
  const resolved: ResolvedDevice = {
    id: device.id,
    kind: device.kind,
    in: resolveSocket(device, 'in', device.in, env),
    out: resolveSocket(device, 'out', device.out, env),
    prefix: devicePrefixes(device),
  };
  if (device.mon) resolved.mon = resolveSocket(device, 'mon', device.mon, env);
  if (device.ctrl) resolved.ctrl = resolveSocket(device, 'ctrl', device.ctrl, env);
  return resolved;
}

function resolveSocket(
  device: DeviceSpec,
  role: SocketRole,
  socket: SocketSpec,
  env: Record<string, string | undefined>,
): ResolvedSocket {
  const options: Record<string, ResolvedOptionValue> = {};
  for (const [name, value] of Object.entries(socket.options ?? {})) {
    const canonical = lookupOption(name)?.name ?? name;
    options[canonical] = resolveValue(device.id, role, canonical, value, env);
  }
  return {
    type: socket.type,
    bind: [...(socket.bind ?? [])],
    connect: [...(socket.connect ?? [])],
    options,
  };
}

function resolveValue(
  deviceId: string,
  role: SocketRole,
  option: string,
  value: OptionValue,
  env: Record<string, string | undefined>,
): ResolvedOptionValue {
  if (!isEnvReference(value)) return Array.isArray(value) ? [...value] : value;

  const variable = value.env;
  const text = env[variable];
  if (text === undefined || text === '') throw new MissingSecretError(deviceId, role, option, variable);

  switch (lookupOption(option)?.valueType) {
    case 'int': {
      if (!/^-?\d+$/.test(text.trim())) throw new InvalidEnvValueError(deviceId, role, option, variable, 'an integer');
      return Number(text.trim());
    }
    case 'bool': {
      const flag = text.trim().toLowerCase();
      if (flag === 'true' || flag === '1') return true;
      if (flag === 'false' || flag === '0') return false;
      throw new InvalidEnvValueError(deviceId, role, option, variable, 'true, false, 1 or 0');
    }
    default:
      return text;
  }
}
