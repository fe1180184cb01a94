/**
 * Finds the Electron executable the way the `electron` package's index.js
 * does (its path.txt, or ELECTRON_OVERRIDE_DIST_PATH), without its fallback
 * of downloading the binary, so a machine without network access gets a clear
 * message instead of a failed download.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export type ElectronBinary = { ok: true; path: string } | { ok: false; reason: string };

export function findElectronBinary(env: Record<string, string | undefined> = process.env): ElectronBinary {
  let packageDirectory: string;
  try {
    packageDirectory = dirname(createRequire(import.meta.url).resolve('electron/package.json'));
  } catch {
    return { ok: false, reason: 'the "electron" package is not installed' };
  }
  const pathFile = join(packageDirectory, 'path.txt');
  const relativePath = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : undefined;

  const override = env.ELECTRON_OVERRIDE_DIST_PATH;
  if (override) {
    const path = join(override, relativePath ?? 'electron');
    return existsSync(path) ? { ok: true, path } : { ok: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set, but "${path}" does not exist` };
  }
  if (relativePath === undefined) {
    return { ok: false, reason: `"${pathFile}" does not exist, so the Electron download never completed` };
  }
  const path = join(packageDirectory, 'dist', relativePath);
  return existsSync(path) ? { ok: true, path } : { ok: false, reason: `"${path}" does not exist` };
}

/** Formats the message printed when the desktop app cannot start because the binary is missing. */
export function missingElectronMessage(reason: string): string {
  return [
    `The Electron binary is missing: ${reason}.`,
    'Install it with "npx install-electron" or by running "npm install" again with access to the Electron download mirror,',
    'or set ELECTRON_OVERRIDE_DIST_PATH to a folder containing an Electron 45 build.',
    'Meanwhile "npx switchyard serve" runs the same UI in a browser.',
  ].join('\n');
}
