/**
 * `switchyard export` as a real process: YAML and JSON round trips, the PyZMQ
 * script, standard output versus -o, and refusal of files with errors.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, runCli, temporaryFolder } from './engine-fixtures.js';

const folder = temporaryFolder('cli-export');
after(folder.remove);

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

      assert.deepEqual(JSON.parse(readFileSync(jsonPath, 'utf8')), JSON.parse(direct.stdout));
    });
  }

  test('json export keeps every field', async () => {
    const source = join(REPO_ROOT, 'examples', 'broker.json');
    const result = await runCli(['export', source, '--format', 'json']);
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(JSON.parse(result.stdout), JSON.parse(readFileSync(source, 'utf8')));
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
