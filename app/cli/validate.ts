/** `switchyard validate FILE`: exit 0 when the file has no errors, 1 when it has, 2 on usage errors. */
import { countErrors, formatProblem, loadTopologyFile } from './load.js';
import { EXIT_FAILURE, EXIT_OK, parseCommandArgs, requireFile, type Output } from './usage.js';

export const VALIDATE_HELP = `Usage: switchyard validate FILE

Checks a topology file (JSON or YAML) and prints each problem with its JSON
path. Warnings do not change the exit code.

Exit codes: 0 no errors, 1 errors found or the file cannot be read, 2 wrong
arguments.

Options:
  -h, --help   Print this help.`;

export async function validateCommand(argv: string[], output: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('validate', argv, { help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    output.out(VALIDATE_HELP);
    return EXIT_OK;
  }
  const file = requireFile('validate', positionals);

  const result = await loadTopologyFile(file);
  for (const problem of result.problems) output.err(formatProblem(file, problem));
  const errors = countErrors(result.problems);
  const warnings = result.problems.length - errors;
  if (!result.ok || errors > 0) {
    output.err(`${file}: ${errors} error(s), ${warnings} warning(s). Fix the errors and validate again.`);
    return EXIT_FAILURE;
  }
  output.out(`${file}: valid, ${result.document.devices.length} device(s), ${warnings} warning(s).`);
  return EXIT_OK;
}
