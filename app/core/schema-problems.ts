/**
 * Turns zod issues from the topology schema into problems with a JSON path
 * and a message that names what to write instead.
 */
import type { z } from 'zod';
import type { Problem } from './contract.js';
import { describeValue, jsonPath, valueAt } from './json-path.js';
import { closestName } from './suggest.js';
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
      if (value === undefined) return [error(missingFieldMessage(issue.path, issue.expected))];
      const expected = EXPECTED_TYPE[issue.expected] ?? issue.expected;
      return [error(`Expected ${expected}, but the value is ${describeValue(value)}. ${typeFix(issue.path, issue.expected, value)}`)];
    }

    case 'invalid_value': {
      const choices = issue.values.map((choice) => JSON.stringify(choice)).join(', ');
      if (value === undefined) {
        const field = String(issue.path[issue.path.length - 1]);
        return [error(`Required field "${field}" is missing. Add "${field}" with one of ${choices}.`)];
      }
      const allowed = issue.values.filter((choice): choice is string => typeof choice === 'string');
      const closest = typeof value === 'string' ? closestName(value, allowed) : undefined;
      const hint = closest ? ` Did you mean "${closest}"?` : '';
      return [error(`${capitalise(describeValue(value))} is not allowed here.${hint} Use one of ${choices}.`)];
    }

    case 'invalid_union':
      if (issue.path.includes('options')) {
        return [
          error(
            `Option value is ${describeValue(value)}. Use a number, a string, true or false, a list of strings, or { "env": "NAME" } to read it from an environment variable.`,
          ),
        ];
      }
      return [error(`The value is ${describeValue(value)}, which matches none of the allowed forms. Compare it with schema/topology.schema.json.`)];

    case 'invalid_format':
      return [error(`${capitalise(describeValue(value))} is invalid. Write ${issue.message}.`)];

    default:
      return [error(`${issue.message} (the value is ${describeValue(value)}). Compare it with schema/topology.schema.json.`)];
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const SOCKET_EXAMPLE_TYPES: Record<string, string> = { in: 'ROUTER', out: 'DEALER', mon: 'PUB', ctrl: 'PAIR' };
const SOCKET_EXAMPLE_PORTS: Record<string, number> = { in: 5559, out: 5560, mon: 5561, ctrl: 5562 };

/** Returns an example of the object that belongs at `path`, in JSON, which YAML also reads. */
function objectExample(path: readonly PropertyKey[]): string {
  const [first, , third, fourth] = path;
  if (path.length === 0) return '{ "version": 1, "name": "my-topology", "devices": [] }';
  if (first === 'devices' && path.length === 2) {
    return '{ "id": "broker", "kind": "queue", "in": { "type": "ROUTER", "bind": ["tcp://127.0.0.1:5559"] }, "out": { "type": "DEALER", "bind": ["tcp://127.0.0.1:5560"] } }';
  }
  if (first === 'devices' && path.length === 3 && third === 'prefix') return '{ "in": "in", "out": "out" }';
  if (first === 'devices' && path.length === 3 && typeof third === 'string' && third in SOCKET_EXAMPLE_TYPES) {
    return `{ "type": "${SOCKET_EXAMPLE_TYPES[third]}", "bind": ["tcp://127.0.0.1:${SOCKET_EXAMPLE_PORTS[third]}"] }`;
  }
  if (first === 'devices' && path.length === 4 && fourth === 'options') return '{ "sndhwm": 1000 }';
  if (first === 'devices' && path.length === 5) return '{ "env": "CURVE_SECRET" }';
  if (first === 'layout' && path.length === 1) return '{ "broker": { "x": 120, "y": 80 } }';
  if (first === 'layout' && path.length === 2) return '{ "x": 120, "y": 80 }';
  return '{ }';
}

/** Returns the fix for a value of the wrong type at `path`: what to write in its place. */
function typeFix(path: readonly PropertyKey[], expected: string, value: unknown): string {
  const field = path[path.length - 1];
  switch (expected) {
    case 'array':
      if (field === 'bind' || field === 'connect') {
        return `Write a list such as [${JSON.stringify(typeof value === 'string' ? value : 'tcp://127.0.0.1:5559')}].`;
      }
      if (field === 'devices') return 'Write a list of device objects, or [] for none.';
      return 'Write a list in square brackets.';
    case 'string':
      if (typeof value === 'number' || typeof value === 'boolean') return `Put it in double quotes: "${String(value)}".`;
      return 'Write a string in double quotes.';
    case 'number':
      if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return `Write it without quotes: ${Number(value)}.`;
      return 'Write a number such as 120.';
    case 'boolean':
      return 'Write true or false without quotes.';
    case 'object':
    case 'record':
      return `Write an object such as ${objectExample(path)}.`;
    default:
      return 'Compare it with schema/topology.schema.json.';
  }
}

const STRING_EXAMPLES: Record<string, string> = { name: '"my-topology"', id: '"broker"', env: '"CURVE_SECRET"' };

/** Returns the message for a required field that is absent at `path`. */
function missingFieldMessage(path: readonly PropertyKey[], expected: string): string {
  const field = String(path[path.length - 1]);
  const start = `Required field "${field}" is missing.`;
  if (expected === 'object' || expected === 'record') return `${start} Add "${field}": ${objectExample(path)}.`;
  if (expected === 'array' && field === 'devices') return `${start} Add "devices": [] and list the devices in it.`;
  if (expected === 'array') return `${start} Add "${field}" with a list as its value.`;
  if (expected === 'string' && STRING_EXAMPLES[field]) return `${start} Add "${field}": ${STRING_EXAMPLES[field]}.`;
  if (expected === 'number') return `${start} Add "${field}": 0.`;
  return `${start} Add it with ${EXPECTED_TYPE[expected] ?? expected} as its value.`;
}
