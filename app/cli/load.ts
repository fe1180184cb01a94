/**
 * Reads a topology file for the CLI and formats its problems as
 * `FILE: error at $.devices[0].in.bind[0]: message` lines.
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Problem } from '../core/contract.js';
import { readTopology } from '../core/file.js';
import type { Topology } from '../core/topology.js';
import { validateTopology } from '../core/validate.js';
import { readErrorMessage } from './file-errors.js';
import { CommandError } from './usage.js';

export type LoadResult =
  | { ok: true; document: Topology; problems: Problem[] }
  | { ok: false; problems: Problem[] };

/** Returns `json` or `yaml` from the file extension, or undefined to let the reader detect it. */
export function formatFromPath(path: string): 'json' | 'yaml' | undefined {
  const extension = extname(path).toLowerCase();
  if (extension === '.json') return 'json';
  if (extension === '.yaml' || extension === '.yml') return 'yaml';
  return undefined;
}

/**
 * Reads, parses and validates a topology file. `problems` contains what the
 * reader found plus what validation found, and a file that cannot be parsed
 * gives `ok: false`. Throws a CommandError that names the file path when the
 * file cannot be read, because no JSON path applies then.
 */
export async function loadTopologyFile(path: string): Promise<LoadResult> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new CommandError(readErrorMessage(path, error));
  }
  const result = readTopology(text, formatFromPath(path));
  if (!result.ok) return result;
  return { ok: true, document: result.document, problems: uniqueProblems([...result.problems, ...validateTopology(result.document)]) };
}

/** Drops repeats, because the reader may report some of what validation reports. */
function uniqueProblems(problems: Problem[]): Problem[] {
  const seen = new Set<string>();
  return problems.filter((problem) => {
    const key = `${problem.severity} ${problem.path} ${problem.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function formatProblem(file: string, problem: Problem): string {
  return `${file}: ${problem.severity} at ${problem.path}: ${problem.message}`;
}

export function countErrors(problems: Problem[]): number {
  return problems.filter((problem) => problem.severity === 'error').length;
}
