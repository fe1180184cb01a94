#!/usr/bin/env node
// Bundles the device worker (app/worker/main.ts) into one CommonJS file,
// dist/app/worker-bundle/main.cjs, which the compiled engine starts in place
// of the tsc output. One file spares Node the resolution and compilation of
// about a hundred modules, and esbuild leaves out the parts of zod the worker
// does not use. CommonJS starts faster than an ES module entry, and its
// require() calls stay where they are, so zeromq.js and the native addon
// still load only when the relay that needs them starts.
//
// Usage: node scripts/build-worker.mjs [OUTFILE]. The tests pass an OUTFILE
// in a temporary folder inside the checkout, where Node still finds
// node_modules/zeromq and the addon.
import { build } from 'esbuild';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const outfile = process.argv[2] ? resolve(process.argv[2]) : join(root, 'dist', 'app', 'worker-bundle', 'main.cjs');

await build({
  entryPoints: [join(root, 'app', 'worker', 'main.ts')],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // zeromq.js finds its prebuilt binary relative to its own package folder.
  external: ['zeromq'],
  // CommonJS has no import.meta; relay-native.ts uses import.meta.url to find the addon.
  banner: { js: "const importMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
  define: { 'import.meta.url': 'importMetaUrl' },
  sourcemap: true,
  logLevel: 'warning',
});
