/**
 * `switchyard validate` and the dispatcher's usage errors, run as real CLI
 * processes: exit codes, problem lines with JSON paths, no stack traces.
 */
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { REPO_ROOT, runCli, temporaryFolder } from './engine-fixtures.js';

const folder = temporaryFolder('cli-validate');
after(folder.remove);

/** A stack trace line as Node prints it. */
const STACK_LINE = /^\s+at .+:\d+:\d+\)?$/m;

function device(id: string, extra: string): string {
  return `{ "id": "${id}", ${extra} }`;
}

function document(...devices: string[]): string {
  return `{ "version": 1, "name": "cases", "devices": [ ${devices.join(', ')} ] }`;
}

const BAD_FILES: Array<{ name: string; file: string; text: string; path: string; message: RegExp }> = [
  {
    name: 'truncated JSON',
    file: 'truncated.json',
    text: '{ "version": 1, "name": "x", "devices": [',
    path: '$',
    message: /line 1, column \d+/,
  },
  {
    name: 'wrong type',
    file: 'types.json',
    text: document(device('q', '"kind": "queue", "in": { "type": "ROUTER", "bind": "tcp://127.0.0.1:43100" }, "out": { "type": "DEALER" }')),
    path: '$.devices[0].in.bind',
    message: /Expected a list, but the value is a string \("tcp:\/\/127\.0\.0\.1:43100"\)\. Write a list such as \["tcp:\/\/127\.0\.0\.1:43100"\]\.$/,
  },
  {
    name: 'enum typo in YAML',
    file: 'enum.yaml',
    text: `version: 1\nname: x\ndevices:\n  - id: q\n    kind: queu\n    restart: onfailure\n    in: { type: ROUTR, bind: ["tcp://127.0.0.1:43100"] }\n    out: { type: DEALER, bind: ["tcp://127.0.0.1:43101"] }\n`,
    path: '$.devices[0].in.type',
    message: /Did you mean "ROUTER"\? Use one of "PAIR", /,
  },
  {
    name: 'tab in YAML',
    file: 'tab.yaml',
    text: 'version: 1\nname: x\ndevices:\n  - id: q\n\tkind: queue\n',
    path: '$',
    message: /Invalid YAML at line 5, column 1: Tabs are not allowed as indentation\. Indent with spaces\.$/,
  },
  {
    name: 'unknown option',
    file: 'option.json',
    text: document(device('q', `"kind": "queue", "in": { "type": "ROUTER", "bind": ["tcp://127.0.0.1:43100"], "options": { "sndhwmm": 5 } }, "out": { "type": "DEALER", "bind": ["tcp://127.0.0.1:43101"] }`)),
    path: '$.devices[0].in.options.sndhwmm',
    message: /sndhwm/,
  },
  {
    name: 'bad endpoint',
    file: 'endpoint.json',
    text: document(device('q', '"kind": "queue", "in": { "type": "ROUTER", "bind": ["tcp://127.0.0.1:99999"] }, "out": { "type": "DEALER", "bind": ["tcp://127.0.0.1:43101"] }')),
    path: '$.devices[0].in.bind[0]',
    message: /99999/,
  },
  {
    name: 'duplicate bind',
    file: 'duplicate.json',
    text: document(device('q', '"kind": "queue", "in": { "type": "ROUTER", "bind": ["tcp://127.0.0.1:43100"] }, "out": { "type": "DEALER", "bind": ["tcp://127.0.0.1:43100"] }')),
    path: '$.devices[0].out.bind[0]',
    message: /another port/,
  },
  {
    name: 'incompatible peers',
    file: 'peers.json',
    text: document(
      device('pub', '"kind": "forwarder", "in": { "type": "XSUB", "bind": ["tcp://127.0.0.1:43100"] }, "out": { "type": "XPUB", "bind": ["tcp://127.0.0.1:43101"] }'),
      device('q', '"kind": "queue", "in": { "type": "ROUTER", "bind": ["tcp://127.0.0.1:43102"] }, "out": { "type": "DEALER", "connect": ["tcp://127.0.0.1:43101"] }'),
    ),
    path: '$.devices[1].out.connect[0]',
    message: /DEALER.*XPUB/,
  },
  {
    name: 'inproc between devices',
    file: 'inproc.json',
    text: document(
      device('a', '"kind": "streamer", "in": { "type": "PULL", "bind": ["tcp://127.0.0.1:43100"] }, "out": { "type": "PUSH", "bind": ["inproc://pipe"] }'),
      device('b', '"kind": "streamer", "in": { "type": "PULL", "connect": ["inproc://pipe"] }, "out": { "type": "PUSH", "bind": ["tcp://127.0.0.1:43101"] }'),
    ),
    path: '$.devices[0].out.bind[0]',
    message: /ipc:\/\/ or tcp:\/\/127\.0\.0\.1/,
  },
  {
    name: 'newer version',
    file: 'newer.json',
    text: '{ "version": 2, "name": "x", "devices": [] }',
    path: '$.version',
    message: /Upgrade Switchyard/,
  },
  {
    name: 'unknown field in YAML',
    file: 'field.yaml',
    text: `version: 1\nname: x\ndevices:\n  - id: q\n    kind: queue\n    colour: red\n    in: { type: ROUTER, bind: ["tcp://127.0.0.1:43100"] }\n    out: { type: DEALER, bind: ["tcp://127.0.0.1:43101"] }\n`,
    path: '$.devices[0].colour',
    message: /Unknown field "colour"/,
  },
];

describe('cli validate', () => {
  for (const example of readdirSync(join(REPO_ROOT, 'examples')).filter((name) => /\.(json|ya?ml)$/.test(name))) {
    test(`example ${example} is valid`, async () => {
      const result = await runCli(['validate', join('examples', example)]);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /: valid, \d+ device\(s\), 0 warning\(s\)\./);
    });
  }

  for (const bad of BAD_FILES) {
    test(`${bad.name} exits 1 with its path`, async () => {
      const path = join(folder.path, bad.file);
      writeFileSync(path, bad.text);
      const result = await runCli(['validate', path]);

      assert.equal(result.code, 1);
      const line = result.stderr.split('\n').find((candidate) => candidate.includes(`error at ${bad.path}: `));
      assert.ok(line, `no error line at ${bad.path} in:\n${result.stderr}`);
      assert.match(line, bad.message);
      assert.doesNotMatch(result.stderr, STACK_LINE);
      assert.match(result.stderr, /Fix the errors and validate again\./);
    });
  }

  test('rule problems beside schema errors', async () => {
    const path = join(folder.path, 'stages.yaml');
    writeFileSync(
      path,
      `version: 1\nname: x\ndevices:\n  - id: q\n    kind: queu\n    in: { type: ROUTER, bind: ["tcp://127.0.0.1:43100"] }\n    out: { type: DEALER, options: { sndhwm: lots } }\n`,
    );
    const result = await runCli(['validate', path]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /error at \$\.devices\[0\]\.kind: .*Did you mean "queue"\?/);
    assert.match(result.stderr, /error at \$\.devices\[0\]\.out\.options\.sndhwm: Option "sndhwm" takes an integer/);
    assert.match(result.stderr, /warning at \$\.devices\[0\]\.out: The out socket of device "q" neither binds nor connects/);
  });

  test('warnings keep exit code 0', async () => {
    const path = join(folder.path, 'warning.json');
    writeFileSync(path, document(device('f', '"kind": "forwarder", "in": { "type": "SUB", "bind": ["tcp://127.0.0.1:43103"] }, "out": { "type": "PUB", "bind": ["tcp://127.0.0.1:43104"] }')));
    const result = await runCli(['validate', path]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning at \$\.devices\[0\]\.in\.type: .*subscribe/);
    assert.match(result.stdout, /1 warning\(s\)/);
  });

  test('missing file exits 1', async () => {
    const path = join(folder.path, 'absent.json');
    const result = await runCli(['validate', path]);
    assert.equal(result.code, 1);
    assert.equal(result.stderr.trim(), `switchyard validate: Cannot read "${path}": the file does not exist. Check the path.`);
    assert.doesNotMatch(result.stderr, / at \$/);
  });

  test('folder as file exits 1', async () => {
    for (const command of ['validate', 'run', 'export']) {
      const args = command === 'export' ? [command, folder.path, '--format', 'json'] : [command, folder.path];
      const result = await runCli(args);
      assert.equal(result.code, 1, command);
      assert.equal(
        result.stderr.trim(),
        `switchyard ${command}: Cannot read "${folder.path}": it is a folder, not a file. Give the path of a topology file (.json or .yaml) inside it.`,
      );
    }
  });

  const UI_DIR_ERRORS: Array<{ name: string; path: () => string; message: RegExp }> = [
    { name: 'missing', path: () => join(folder.path, 'no-ui'), message: /--ui-dir folder ".*no-ui" does not exist\. Give --ui-dir the folder/ },
    { name: 'file', path: () => join(REPO_ROOT, 'package.json'), message: /--ui-dir path ".*package\.json" is a file, not a folder\./ },
    { name: 'without index.html', path: () => folder.path, message: /--ui-dir folder ".*" has no index\.html\./ },
  ];
  for (const uiDir of UI_DIR_ERRORS) {
    test(`serve --ui-dir ${uiDir.name} exits 1`, async () => {
      const result = await runCli(['serve', '--ui-dir', uiDir.path()]);
      assert.equal(result.code, 1);
      assert.match(result.stderr, uiDir.message);
      assert.equal(result.stdout, '');
    });
  }

  const USAGE_ERRORS: Array<{ args: string[]; message: RegExp }> = [
    { args: [], message: /Usage: switchyard COMMAND/ },
    { args: ['frobnicate'], message: /^switchyard: Unknown command "frobnicate"\. Run "switchyard --help" for the list of commands\.$/m },
    { args: ['valdate'], message: /Unknown command "valdate"\. Did you mean "validate"\?/ },
    { args: ['--frob'], message: /Unknown option "--frob"\./ },
    { args: ['validate'], message: /Missing the topology FILE argument\. Run "switchyard validate --help"/ },
    { args: ['validate', 'a.json', 'b.json'], message: /Expected one topology FILE, got 2/ },
    {
      args: ['validate', '--strict', 'a.json'],
      message: /^switchyard validate: Unknown option "--strict"\. The options are --help \(-h\)\. Run "switchyard validate --help" for usage\.$/m,
    },
    { args: ['export', 'examples/broker.json', '--formt', 'json'], message: /Unknown option "--formt"\. Did you mean "--format"\? The options are --format \(-f\), --output \(-o\) and --help \(-h\)\./ },
    { args: ['export', 'examples/broker.json'], message: /Missing --format\. Add --format json, --format yaml or --format pyzmq\./ },
    { args: ['export', 'examples/broker.json', '--format', 'xml'], message: /Unknown format "xml"\. Use json, yaml or pyzmq\./ },
    {
      args: ['export', 'examples/broker.json', '--format'],
      message: /^switchyard export: Option "--format" needs a value\. Write it after the option, as in "--format json"\. Run "switchyard export --help" for usage\.$/m,
    },
    { args: ['export', 'examples/broker.json', '-f'], message: /Option "-f" \(--format\) needs a value\. Write it after the option, as in "--format json"\./ },
    {
      args: ['export', 'examples/broker.json', '--format', '--help'],
      message: /Option "--format" needs a value, but "--help" follows it\. Write the value after the option, as in "--format json", or write "--format=--help" if the value starts with "-"\./,
    },
    { args: ['validate', '--help=yes'], message: /Option "--help" takes no value, but got "yes"\. Write "--help" alone\./ },
    { args: ['run', 'examples/broker.json', '--device', 'brokr'], message: /No device "brokr" in examples\/broker\.json\. Did you mean "broker"\? Its devices are: broker\./ },
    { args: ['run', 'examples/broker.json', '--device'], message: /Option "--device" needs a value\. Write it after the option, as in "--device broker"\./ },
    { args: ['serve', '--port'], message: /Option "--port" needs a value\. Write it after the option, as in "--port 7740"\./ },
    { args: ['serve', '--ui-dir'], message: /Option "--ui-dir" needs a value\. Write it after the option, as in "--ui-dir dist\/renderer"\./ },
  ];
  for (const usage of USAGE_ERRORS) {
    test(`usage error ${usage.args.join(' ') || '(none)'} exits 2`, async () => {
      const result = await runCli(usage.args);
      assert.equal(result.code, 2);
      assert.match(result.stderr, usage.message);
      assert.doesNotMatch(result.stderr, STACK_LINE);
    });
  }

  for (const command of ['run', 'validate', 'export', 'serve']) {
    test(`${command} --help exits 0`, async () => {
      const result = await runCli([command, '--help']);
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, new RegExp(`^Usage: switchyard ${command}`));
    });
  }

  test('help lines fit 80 columns', async () => {
    for (const command of ['run', 'validate', 'export', 'serve']) {
      const result = await runCli([command, '--help']);
      for (const line of result.stdout.split('\n')) assert.ok(line.length <= 80, `${command}: ${line}`);
    }
  });

  test('serve help lists every option', async () => {
    const result = await runCli(['serve', '--help']);
    const usage = result.stdout.split('\n')[0] ?? '';
    assert.equal(usage, 'Usage: switchyard serve [FILE] [--port N] [--host H] [--ui-dir DIR]');
    for (const option of ['--port N', '--host H', '--ui-dir DIR', '--help']) assert.match(result.stdout, new RegExp(`^ +(-\\w, )?${option} `, 'm'), option);
  });

  test('--version prints package version', async () => {
    const { version } = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string };
    const result = await runCli(['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${version}\n`);
    assert.equal(result.stderr, '');
  });

  test('bin/switchyard.js runs the CLI', async () => {
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(process.execPath, [join(REPO_ROOT, 'bin', 'switchyard.js'), '--help'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /Usage: switchyard COMMAND/);
  });
});
