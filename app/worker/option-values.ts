/**
 * Checks of socket options before a relay sets them: the name is a libzmq
 * option that applies to the socket type, and the value has the option's
 * type and range. This module does not load zeromq, so the native relay can
 * use it.
 */
import { lookupOption, optionAppliesTo, type OptionInfo } from '../core/options.js';
import type { SocketType } from '../core/topology.js';
import type { ResolvedSocket } from '../core/worker-protocol.js';
import { RelaySetupError } from './relay.js';
import type { SocketPlace } from './setup-errors.js';

/** An option value as the resolved socket spec carries it. */
export type OptionValue = ResolvedSocket['options'][string];

/** An option value after `checkOptionValue`, tagged with the option's value type. */
export type CheckedOptionValue =
  | { valueType: 'int'; value: number }
  | { valueType: 'bool'; value: boolean }
  | { valueType: 'string' | 'bytes'; value: string }
  | { valueType: 'string-list'; value: string[] };

/**
 * Looks up option `name` (canonical or alias) and checks that it applies to
 * a socket of `type`.
 *
 * @throws RelaySetupError with code EINVAL when the option is unknown or does not apply.
 */
export function checkOption(place: SocketPlace, type: SocketType, name: string): OptionInfo {
  const option = lookupOption(name);
  if (!option) {
    throw new RelaySetupError(
      `Unknown option "${name}" on device "${place.deviceId}" (${place.role}). Use a libzmq option name such as sndhwm or subscribe.`,
      { role: place.role, code: 'EINVAL' },
    );
  }
  if (!optionAppliesTo(option, type)) {
    const types = option.socketTypes === 'all' ? 'any type' : option.socketTypes.join(', ');
    throw new RelaySetupError(
      `Option "${option.name}" does not apply to the ${type} socket of device "${place.deviceId}" (${place.role}). ` +
        `Remove it or use it on a socket of type ${types}.`,
      { role: place.role, code: 'EINVAL' },
    );
  }
  return option;
}

/**
 * Checks a value against the option's type and range. `bool` options also
 * accept 0 and 1, as libzmq does; `string-list` options always come back as
 * an array. The error never shows the value of a secret option.
 *
 * @throws RelaySetupError with code EINVAL when the value has the wrong type or is out of range.
 */
export function checkOptionValue(place: SocketPlace, option: OptionInfo, value: OptionValue): CheckedOptionValue {
  const invalid = (expected: string): RelaySetupError => {
    const displayedValue = option.secret ? 'The given value' : `The value ${JSON.stringify(value)}`;
    return new RelaySetupError(
      `${displayedValue} of option "${option.name}" on device "${place.deviceId}" (${place.role}) is invalid. Give ${expected}.`,
      { role: place.role, code: 'EINVAL' },
    );
  };

  switch (option.valueType) {
    case 'int': {
      if (typeof value !== 'number' || !Number.isInteger(value)) throw invalid('an integer');
      const min = option.min ?? Number.MIN_SAFE_INTEGER;
      const max = option.max ?? Number.MAX_SAFE_INTEGER;
      if (value < min || value > max) throw invalid(`an integer from ${min} to ${max}`);
      return { valueType: 'int', value };
    }
    case 'bool':
      if (typeof value === 'boolean') return { valueType: 'bool', value };
      if (value === 0 || value === 1) return { valueType: 'bool', value: value === 1 };
      throw invalid('true or false');
    case 'string':
    case 'bytes':
      if (typeof value !== 'string') throw invalid('a string');
      return { valueType: option.valueType, value };
    case 'string-list':
      if (typeof value === 'string') return { valueType: 'string-list', value: [value] };
      if (Array.isArray(value)) return { valueType: 'string-list', value };
      throw invalid('a string or a list of strings');
  }
}
