/**
 * `npm start`: launches the desktop app from the compiled build with the
 * installed Electron binary, or explains how to get one and exits 1. Runs
 * under Node, not Electron.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findElectronBinary, missingElectronMessage } from './electron-binary.js';

const projectRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

const binary = findElectronBinary();
if (!binary.ok) {
  process.stderr.write(`${missingElectronMessage(binary.reason)}\n`);
  process.exit(1);
}

const child = spawn(binary.path, [projectRoot, ...process.argv.slice(2)], { stdio: 'inherit' });
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => child.kill(signal));
}
child.on('error', (error) => {
  process.stderr.write(`Could not start Electron at "${binary.path}": ${error.message}\n`);
  process.exit(1);
});
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
