/**
 * Shared pieces of the subcommands: usage errors (exit code 2) and the
 * output streams, so that tests and the dispatcher see the same text.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

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
 * Parses `argv` with `node:util` `parseArgs` in strict mode and turns its
 * errors (unknown option, missing value) into a UsageError for `command`.
 */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  command: string,
  argv: string[],
  options: T,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new UsageError(message.replace(/\. To specify a positional argument.*$/s, '.'), command);
  }
}

/** Returns the single FILE positional argument or throws a UsageError. */
export function requireFile(command: string, positionals: string[]): string {
  if (positionals.length === 0) throw new UsageError(`Missing the topology FILE argument.`, command);
  if (positionals.length > 1) {
    throw new UsageError(`Expected one topology FILE, got ${positionals.length}: ${positionals.join(' ')}.`, command);
  }
  return positionals[0]!;
}
