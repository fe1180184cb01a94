/**
 * Turns zod issues from the topology schema into problems with a JSON path
 * and a message that names what to write instead.
 */
import type { z } from 'zod';
import type { Problem } from './contract.js';
import { describeValue, jsonPath, valueAt } from './json-path.js';
import { TOPOLOGY_VERSION } from './topology.js';

const TOPOLOGY_FIELDS = ['$schema', 'version', 'name', 'devices', 'layout'];
const DEVICE_FIELDS = ['id', 'kind', 'in', 'out', 'mon', 'ctrl', 'prefix', 'restart'];
const SOCKET_FIELDS = ['type', 'bind', 'connect', 'options'];

/** Returns the fields allowed in the object at `path`, or `undefined` when the path is not a known object. */
function allowedFields(path: readonly PropertyKey[]): string[] | undefined {
  if (path.length === 0) return TOPOLOGY_FIELDS;
  if (path[0] === 'devices') {
    if (path.length === 2) return DEVICE_FIELDS;
    if (path.length === 3 && path[2] === 'prefix') return ['in', 'out'];
    if (path.length === 3) return SOCKET_FIELDS;
    if (path.length === 5 && path[3] === 'options') return ['env'];
  }
  if (path[0] === 'layout' && path.length === 2) return ['x', 'y'];
  return undefined;
}

const EXPECTED_TYPE: Record<string, string> = {
  string: 'a string',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'an object',
  record: 'an object',
};

/** Returns whether the document declares a topology version newer than this build reads. */
export function isNewerVersion(document: unknown): boolean {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return false;
  const version = (document as Record<string, unknown>).version;
  return typeof version === 'number' && Number.isInteger(version) && version > TOPOLOGY_VERSION;
}

/**
 * Returns the problem for a `version` the build cannot read, or `undefined`
 * when the version is this build's. A newer version gets its own message,
 * because the fix is to upgrade Switchyard, not to edit the file.
 */
export function versionProblem(document: unknown): Problem | undefined {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return undefined;
  const version = (document as Record<string, unknown>).version;
  if (version === TOPOLOGY_VERSION) return undefined;
  if (version === undefined) {
    return { severity: 'error', path: '$.version', message: `The file has no "version". Add "version": ${TOPOLOGY_VERSION} at the top level.` };
  }
  if (isNewerVersion(document)) {
    return {
      severity: 'error',
      path: '$.version',
      message: `The file has version ${version}, but this build of Switchyard reads topology files up to version ${TOPOLOGY_VERSION}. Upgrade Switchyard to open it.`,
    };
  }
  return {
    severity: 'error',
    path: '$.version',
    message: `"version" is ${describeValue(version)}, but must be ${TOPOLOGY_VERSION}. Set "version": ${TOPOLOGY_VERSION}.`,
  };
}

/** Converts the issues of a failed topology parse into problems, one per issue. */
export function schemaProblems(document: unknown, issues: readonly z.core.$ZodIssue[]): Problem[] {
  const problems: Problem[] = [];
  for (const issue of issues) {
    if (issue.path.length === 1 && issue.path[0] === 'version') {
      const problem = versionProblem(document);
      if (problem) problems.push(problem);
      continue;
    }
    problems.push(...issueProblems(document, issue));
  }
  return problems;
}

function issueProblems(document: unknown, issue: z.core.$ZodIssue): Problem[] {
  const path = jsonPath(issue.path as Array<string | number>);
  const value = valueAt(document, issue.path);
  const error = (message: string): Problem => ({ severity: 'error', path, message });

  switch (issue.code) {
    case 'unrecognized_keys':
      return issue.keys.map((key) => {
        const fields = allowedFields(issue.path);
        const hint = fields ? ` Allowed fields here: ${fields.join(', ')}.` : '';
        return {
          severity: 'error' as const,
          path: jsonPath([...(issue.path as Array<string | number>), key]),
          message: `Unknown field "${key}". Remove it or correct its spelling.${hint}`,
        };
      });

    case 'invalid_type': {
      const expected = EXPECTED_TYPE[issue.expected] ?? issue.expected;
      if (value === undefined) return [error(`Required field is missing. Add it with ${expected} as its value.`)];
      return [error(`Expected ${expected}, but the value is ${describeValue(value)}.`)];
    }

    case 'invalid_value': {
      const choices = issue.values.map((choice) => JSON.stringify(choice)).join(', ');
      if (value === undefined) return [error(`Required field is missing. Add it with one of ${choices}.`)];
      return [error(`${describeValue(value)} is not allowed here. Use one of ${choices}.`.replace(/^./, (first) => first.toUpperCase()))];
    }

    case 'invalid_union':
      if (issue.path.includes('options')) {
        return [
          error(
            `Option value is ${describeValue(value)}. Use a number, a string, true or false, a list of strings, or { "env": "NAME" } to read it from an environment variable.`,
          ),
        ];
      }
      return [error(`The value is ${describeValue(value)}, which matches none of the allowed forms.`)];

    case 'invalid_format':
      return [error(`${describeValue(value)} is invalid: expected ${issue.message}.`.replace(/^./, (first) => first.toUpperCase()))];

    default:
      return [error(`${issue.message} (the value is ${describeValue(value)}).`)];
  }
}
