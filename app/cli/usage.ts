/**
 * Shared pieces of the subcommands: usage errors (exit code 2) and the
 * output streams, so that tests and the dispatcher see the same text.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { closestName } from '../core/suggest.js';

/** Exit codes of every subcommand. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Wrong arguments: the dispatcher prints the message and a hint and exits with code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';

  constructor(
    message: string,
    readonly command: string,
  ) {
    super(message);
  }
}

/**
 * A failure the user can fix, such as a path that cannot be written: the
 * dispatcher prints the message after the command name and exits with code 1.
 */
export class CommandError extends Error {
  override readonly name = 'CommandError';
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const processOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/**
 * Parses `argv` with `node:util` `parseArgs` in strict mode. Unknown options,
 * missing values and values given to flags become a UsageError for `command`
 * that states what to write instead. `examples` gives a sample value per
 * string option for those messages, such as `{ format: 'json' }`.
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
  examples: Partial<Record<keyof T & string, string>> = {},
) {
  const problem = findArgumentProblem(argv, options, examples as Record<string, string | undefined>);
  if (problem) throw new UsageError(problem, command);
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    // NOTE: findArgumentProblem is meant to catch every error strict parsing raises; this keeps Node's text if one slips through.
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(`${message.replace(/\. To specify a positional argument.*$/s, '')}.`, command);
  }
}

/**
 * Returns a sentence for the first argument strict parsing would reject, or
 * undefined. Parsing without strict mode returns every option as a token, so
 * the message can name the option as typed and the fix.
 */
function findArgumentProblem(argv: string[], options: NonNullable<ParseArgsConfig['options']>, examples: Record<string, string | undefined>): string | undefined {
  const { tokens } = parseArgs({ args: argv, options, allowPositionals: true, strict: false, tokens: true });
  for (const token of tokens) {
    if (token.kind !== 'option') continue;
    const option = options[token.name];
    const long = `--${token.name}`;
    const shown = token.rawName === long ? `"${long}"` : `"${token.rawName}" (${long})`;

    if (!option) return unknownOptionMessage(token.rawName, options);
    const example = `"${long} ${examples[token.name] ?? 'VALUE'}"`;
    if (option.type === 'boolean' && token.value !== undefined) {
      return `Option ${shown} takes no value, but got "${token.value}". Write "${token.rawName}" alone.`;
    }
    if (option.type === 'string' && token.value === undefined) {
      return `Option ${shown} needs a value. Write it after the option, as in ${example}.`;
    }
    if (option.type === 'string' && !token.inlineValue && token.value?.startsWith('-')) {
      return `Option ${shown} needs a value, but "${token.value}" follows it. Write the value after the option, as in ${example}, or write "${long}=${token.value}" if the value starts with "-".`;
    }
  }
  return undefined;
}

function unknownOptionMessage(rawName: string, options: NonNullable<ParseArgsConfig['options']>): string {
  const names = Object.entries(options).map(([name, option]) => (option.short ? `--${name} (-${option.short})` : `--${name}`));
  const longNames = Object.keys(options).map((name) => `--${name}`);
  const closest = rawName.startsWith('--') ? closestName(rawName, longNames) : undefined;
  const hint = closest ? ` Did you mean "${closest}"?` : '';
  return `Unknown option "${rawName}".${hint} The options are ${listText(names)}.`;
}

/** Joins `a, b and c`. */
function listText(items: string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`;
}

/** Returns the single FILE positional argument or throws a UsageError. */
export function requireFile(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`Missing the topology FILE argument.`, command);
  if (positionals.length > 1) {
    throw new UsageError(`Expected one topology FILE, got ${positionals.length}: ${positionals.join(' ')}.`, command);
  }
  return positionals[0]!;
}
