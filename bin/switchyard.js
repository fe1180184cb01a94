#!/usr/bin/env node
// Entry point of the `switchyard` command: runs the compiled CLI when it was
// built and no TypeScript source under app/ changed since, else the source
// through tsx, so that a stale dist/ never runs in a working checkout.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const compiled = join(root, 'dist', 'app', 'cli', 'main.js');
const source = join(root, 'app', 'cli', 'main.ts');

/** Returns the newest modification time (ms) of the .ts files under `folder`, or 0 when there are none. */
function newestSource(folder) {
  let newest = 0;
  if (!existsSync(folder)) return newest;
  for (const entry of readdirSync(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  if (!existsSync(source)) return true;
  const builtAt = statSync(compiled).mtimeMs;
  return ['cli', 'engine', 'core', 'worker'].every((folder) => newestSource(join(root, 'app', folder)) <= builtAt);
}

if (compiledIsCurrent()) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import(pathToFileURL(source).href);
}
