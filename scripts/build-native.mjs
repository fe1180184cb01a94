#!/usr/bin/env node
// Builds the optional native relay addon (native/ -> native/build/Release/switchyard_relay.node).
//
// It needs the libzmq headers and library (Debian: libzmq3-dev), a C++17
// compiler and make. Without them it prints one line and exits with 0, and
// every device runs on the JavaScript relay. Pass --required to exit with 1
// instead, for CI jobs that must test the native relay.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const nativeFolder = join(root, 'native');
const required = process.argv.includes('--required');

function skip(reason) {
  const line = `switchyard: the native relay was not built (${reason}); devices run on the JavaScript relay.`;
  if (required) {
    console.error(line);
    process.exit(1);
  }
  console.log(line);
  process.exit(0);
}

function hasZmqHeaders() {
  const pkgConfig = spawnSync('pkg-config', ['--exists', 'libzmq'], { stdio: 'ignore' });
  if (pkgConfig.status === 0) return true;
  return ['/usr/include/zmq.h', '/usr/local/include/zmq.h'].some((path) => existsSync(path));
}

/** node-gyp from node_modules (a dev dependency of electron-builder), else the one npm bundles. */
function findNodeGyp() {
  const local = join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  if (existsSync(local)) return local;
  const bundled = process.env.npm_config_node_gyp;
  if (bundled && existsSync(bundled)) return bundled;
  return undefined;
}

/**
 * Finds the Node headers that ship with this Node (Debian's and NodeSource's
 * nodejs packages install them under <prefix>/include/node). Using them avoids
 * node-gyp's download of the headers, which fails on machines without
 * internet access.
 */
function findNodeDir() {
  const prefix = resolve(dirname(process.execPath), '..');
  return existsSync(join(prefix, 'include', 'node', 'node_api.h')) ? prefix : undefined;
}

if (process.env.SWITCHYARD_SKIP_NATIVE === '1') skip('SWITCHYARD_SKIP_NATIVE=1');
if (!hasZmqHeaders()) skip('zmq.h not found; install libzmq3-dev, g++ and make, then run npm run build:native');

const nodeGyp = findNodeGyp();
if (!nodeGyp) skip('node-gyp not found; run npm ci first');

const args = [nodeGyp, 'rebuild'];
const nodeDir = findNodeDir();
if (nodeDir) args.push(`--nodedir=${nodeDir}`);

const result = spawnSync(process.execPath, args, { cwd: nativeFolder, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
if (result.status !== 0) {
  process.stderr.write(result.stdout ?? '');
  process.stderr.write(result.stderr ?? '');
  skip(`node-gyp rebuild failed with exit code ${result.status}; its output is above`);
}
console.log(`switchyard: built the native relay ${join('native', 'build', 'Release', 'switchyard_relay.node')}.`);
