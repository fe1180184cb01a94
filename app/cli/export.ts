/** `switchyard export FILE --format json|yaml|pyzmq [-o OUT]`: writes the topology in another format. */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, relative, resolve, sep } from 'node:path';
import { exportFormatSchema } from '../core/contract.js';
import { exportPyzmq } from '../core/export-pyzmq.js';
import { writeTopology } from '../core/file.js';
import { writeErrorMessage } from './file-errors.js';
import { countErrors, formatProblem, loadTopologyFile } from './load.js';
import { packageSchemaPath } from './package-files.js';
import { CommandError, EXIT_FAILURE, EXIT_OK, UsageError, parseCommandArgs, requireFile, type Output } from './usage.js';

export const EXPORT_HELP = `Usage: switchyard export FILE --format json|yaml|pyzmq [-o OUT]

Writes the topology in FILE as canonical JSON, as YAML, or as a Python 3
script that runs the same devices with PyZMQ's zmq.devices. Secrets given as
{ "env": NAME } stay environment references in every format. A relative
"$schema" is rewritten to point from OUT to the same schema file, and left
out on standard output, where no folder fixes what it is relative to.

Options:
  -f, --format FORMAT   json, yaml or pyzmq (required).
  -o, --output OUT      Write to this file instead of standard output.
  -h, --help            Print this help.`;

const FILE_EXTENSIONS = { json: '.json', yaml: '.yaml', pyzmq: '.py' } as const;

export async function exportCommand(argv: string[], output: Output): Promise<number> {
  const { values, positionals } = parseCommandArgs('export', argv, {
    format: { type: 'string', short: 'f' },
    output: { type: 'string', short: 'o' },
    help: { type: 'boolean', short: 'h' },
  }, { format: 'json', output: 'topology.json' });
  if (values.help) {
    output.out(EXPORT_HELP);
    return EXIT_OK;
  }
  const file = requireFile('export', positionals);
  if (values.format === undefined) throw new UsageError('Missing --format. Add --format json, --format yaml or --format pyzmq.', 'export');
  const format = exportFormatSchema.safeParse(values.format);
  if (!format.success) {
    throw new UsageError(`Unknown format "${values.format}". Use json, yaml or pyzmq.`, 'export');
  }

  const result = await loadTopologyFile(file);
  const errors = countErrors(result.problems);
  if (!result.ok || errors > 0) {
    for (const problem of result.problems) output.err(formatProblem(file, problem));
    output.err(`${file}: not exported because it has ${errors} error(s). Fix them and export again.`);
    return EXIT_FAILURE;
  }

  // A relative "$schema" is relative to the file it is in, so it must follow the output or go.
  const { $schema, ...rest } = result.document;
  const reference = values.output === undefined ? undefined : schemaReferenceFor($schema, file, values.output);
  const document = reference === undefined ? rest : { $schema: reference, ...rest };
  const text = format.data === 'pyzmq' ? exportPyzmq(document) : writeTopology(document, format.data);
  if (values.output === undefined) {
    output.out(text.replace(/\n$/, ''));
  } else {
    try {
      await writeFile(values.output, text);
    } catch (error) {
      const suggested = `${basename(file, extname(file))}${FILE_EXTENSIONS[format.data]}`;
      throw new CommandError(writeErrorMessage(values.output, error, '-o', suggested));
    }
    output.err(`Wrote ${format.data} to ${values.output}.`);
  }
  return EXIT_OK;
}

/**
 * Returns the `$schema` to write into `outputPath`, or undefined to leave it
 * out. URLs and absolute paths stay as they are. A relative reference is
 * resolved from the folder of `sourceFile` and rewritten relative to the
 * folder of `outputPath`, so that editors still find the schema. A relative
 * reference to a file that does not exist is replaced by the package's schema.
 */
export function schemaReferenceFor(reference: string | undefined, sourceFile: string, outputPath: string): string | undefined {
  if (reference === undefined) return undefined;
  if (/^[a-z][a-z0-9+.-]+:/i.test(reference) || isAbsolute(reference)) return reference;

  const referenced = resolve(dirname(sourceFile), reference);
  const target = existsSync(referenced) ? referenced : packageSchemaPath();
  if (target === undefined) return undefined;
  return relative(dirname(resolve(outputPath)), target).split(sep).join('/');
}
