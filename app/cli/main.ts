/**
 * Entry of the `switchyard` command: dispatches to run, validate, export and
 * serve. Usage errors print one line and a hint and exit 2; bad topology
 * files print their problems and exit 1; neither prints a stack trace.
 */
import { closestName } from '../core/suggest.js';
import { exportCommand } from './export.js';
import { packageVersion } from './package-files.js';
import { runCommand } from './run.js';
import { serveCommand } from './serve.js';
import { EXIT_FAILURE, EXIT_OK, EXIT_USAGE, UsageError, processOutput, type Output } from './usage.js';
import { validateCommand } from './validate.js';

export const MAIN_HELP = `Usage: switchyard COMMAND [options]

Builds, runs and watches ZeroMQ device topologies.

Commands:
  run FILE        Run the devices of a topology file until Ctrl-C.
  validate FILE   Check a topology file and print its problems.
  export FILE     Write a topology as JSON, YAML or a PyZMQ script.
  serve [FILE]    Serve the Switchyard UI in a browser on 127.0.0.1.

Options:
  -h, --help      Print this help.
      --version   Print the version of Switchyard.

Run "switchyard COMMAND --help" for the options of a command.`;

type Command = (argv: string[], output: Output) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  run: runCommand,
  validate: validateCommand,
  export: exportCommand,
  serve: serveCommand,
};

/** Runs the CLI with `argv` (without the node and script paths) and returns the exit code. */
export async function main(argv: string[], output: Output = processOutput): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined) {
    output.err(MAIN_HELP);
    return EXIT_USAGE;
  }
  if (name === '-h' || name === '--help' || name === 'help') {
    output.out(MAIN_HELP);
    return EXIT_OK;
  }
  if (name === '--version') {
    output.out(packageVersion());
    return EXIT_OK;
  }
  const command = COMMANDS[name];
  if (!command) {
    const what = name.startsWith('-') ? 'option' : 'command';
    const closest = closestName(name, Object.keys(COMMANDS));
    const hint = closest ? ` Did you mean "${closest}"?` : '';
    output.err(`switchyard: Unknown ${what} "${name}".${hint} Run "switchyard --help" for the list of commands.`);
    return EXIT_USAGE;
  }
  try {
    return await command(rest, output);
  } catch (error) {
    if (error instanceof UsageError) {
      output.err(`switchyard ${error.command}: ${error.message} Run "switchyard ${error.command} --help" for usage.`);
      return EXIT_USAGE;
    }
    output.err(`switchyard ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return EXIT_FAILURE;
  }
}

const exitCode = await main(process.argv.slice(2));
process.exit(exitCode);
