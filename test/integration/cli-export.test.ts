/**
 * `switchyard export` as a real process: YAML and JSON round trips, the PyZMQ
 * script, standard output versus -o, and refusal of files with errors.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, runCli, temporaryFolder } from './engine-fixtures.js';

const folder = temporaryFolder('cli-export');
after(folder.remove);

const SCHEMA = join(REPO_ROOT, 'schema', 'topology.schema.json');

/** Returns the `$schema` value of an exported JSON or YAML file. */
function schemaReference(path: string): string | undefined {
  const text = readFileSync(path, 'utf8');
  if (path.endsWith('.json')) return (JSON.parse(text) as { $schema?: string }).$schema;
  return /^\$schema: (.+)$/m.exec(text)?.[1];
}

describe('cli export', () => {
  for (const example of readdirSync(join(REPO_ROOT, 'examples')).filter((name) => /\.(json|ya?ml)$/.test(name))) {
    test(`yaml round trip of ${example}`, async () => {
      const source = join(REPO_ROOT, 'examples', example);
      const yamlPath = join(folder.path, `${example}.yaml`);
      const jsonPath = join(folder.path, `${example}.json`);

      const toYaml = await runCli(['export', source, '--format', 'yaml', '-o', yamlPath]);
      assert.equal(toYaml.code, 0, toYaml.stderr);
      assert.match(toYaml.stderr, /Wrote yaml to /);
      const back = await runCli(['export', yamlPath, '--format', 'json', '-o', jsonPath]);
      assert.equal(back.code, 0, back.stderr);
      const direct = await runCli(['export', source, '--format', 'json']);
      assert.equal(direct.code, 0, direct.stderr);

      const { $schema, ...written } = JSON.parse(readFileSync(jsonPath, 'utf8')) as Record<string, unknown>;
      assert.deepEqual(written, JSON.parse(direct.stdout));
      if ($schema !== undefined) assert.ok(existsSync(resolve(folder.path, String($schema))), `$schema "${String($schema)}" points nowhere`);
    });
  }

  test('json export keeps every field', async () => {
    const source = join(REPO_ROOT, 'examples', 'broker.json');
    const result = await runCli(['export', source, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    const { $schema, ...expected } = JSON.parse(readFileSync(source, 'utf8')) as Record<string, unknown>;
    assert.equal($schema, '../schema/topology.schema.json');
    assert.deepEqual(JSON.parse(result.stdout), expected);
  });

  test('$schema follows the output file', async () => {
    const source = join(REPO_ROOT, 'examples', 'broker.json');
    const nested = join(folder.path, 'nested', 'deeper');
    mkdirSync(nested, { recursive: true });

    for (const [target, format] of [[join(nested, 'broker.json'), 'json'], [join(folder.path, 'broker.yaml'), 'yaml']] as const) {
      const result = await runCli(['export', source, '--format', format, '-o', target]);
      assert.equal(result.code, 0, result.stderr);
      const reference = schemaReference(target);
      assert.equal(reference, relative(dirname(target), SCHEMA).split(sep).join('/'), target);
      assert.ok(existsSync(resolve(dirname(target), reference)), target);
    }
  });

  test('$schema to a missing file replaced', async () => {
    const source = join(folder.path, 'stale-schema.json');
    const original = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'broker.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(source, JSON.stringify({ ...original, $schema: './gone.schema.json' }));
    const target = join(folder.path, 'nested', 'replaced.json');
    mkdirSync(dirname(target), { recursive: true });

    const result = await runCli(['export', source, '--format', 'json', '-o', target]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(schemaReference(target), relative(dirname(target), SCHEMA).split(sep).join('/'));
  });

  test('$schema absolute path kept', async () => {
    const source = join(folder.path, 'absolute-schema.json');
    const original = JSON.parse(readFileSync(join(REPO_ROOT, 'examples', 'broker.json'), 'utf8')) as Record<string, unknown>;
    writeFileSync(source, JSON.stringify({ ...original, $schema: SCHEMA }));
    const target = join(folder.path, 'nested', 'absolute.json');
    mkdirSync(dirname(target), { recursive: true });

    const result = await runCli(['export', source, '--format', 'json', '-o', target]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(schemaReference(target), SCHEMA);
  });

  test('$schema left out on stdout', async () => {
    for (const format of ['json', 'yaml']) {
      const result = await runCli(['export', join(REPO_ROOT, 'examples', 'broker.json'), '--format', format]);
      assert.equal(result.code, 0, result.stderr);
      assert.doesNotMatch(result.stdout, /\$schema/, format);
    }
  });

  test('pyzmq export writes a monitored queue script', async () => {
    const result = await runCli(['export', join(REPO_ROOT, 'examples', 'broker.json'), '--format', 'pyzmq']);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^#!.*python3|import zmq/m);
    assert.match(result.stdout, /ProcessMonitoredQueue/);
    assert.match(result.stdout, /tcp:\/\/127\.0\.0\.1:5559/);
  });

  test('output in a missing folder exits 1', async () => {
    const target = join(folder.path, 'missing', 'broker.py');
    const result = await runCli(['export', join(REPO_ROOT, 'examples', 'broker.json'), '--format', 'pyzmq', '-o', target]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      `switchyard export: Cannot write "${target}": the folder "${join(folder.path, 'missing')}" does not exist. Create it or choose another path with -o.`,
    );
  });

  test('output that is a folder exits 1', async () => {
    const result = await runCli(['export', join(REPO_ROOT, 'examples', 'broker.json'), '--format', 'yaml', '-o', folder.path]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      `switchyard export: Cannot write "${folder.path}": it is a folder. Give a file path inside it with -o, such as "${join(folder.path, 'broker.yaml')}".`,
    );
  });

  test('output below a file exits 1', async () => {
    const file = join(folder.path, 'plain.txt');
    writeFileSync(file, 'not a folder');
    const result = await runCli(['export', join(REPO_ROOT, 'examples', 'broker.json'), '--format', 'json', '-o', join(file, 'x.json')]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr.trim(),
      `switchyard export: Cannot write "${join(file, 'x.json')}": "${file}" is a file, not a folder. Give a path inside a folder, or choose another path with -o.`,
    );
    assert.doesNotMatch(result.stderr, /ENOTDIR/);
  });

  test('file with errors is not exported', async () => {
    const path = join(folder.path, 'bad.json');
    writeFileSync(path, '{ "version": 1, "name": "x", "devices": [ { "id": "q" } ] }');
    const result = await runCli(['export', path, '--format', 'yaml']);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /error at \$\.devices\[0\]/);
    assert.match(result.stderr, /not exported because it has \d+ error\(s\)/);
  });
});
