/**
 * electron-builder.yml, loaded and checked by electron-builder's own config
 * loader and schema validator, which work offline.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';

interface TargetList {
  target: Array<string | { target: string }>;
}

interface BuilderConfig {
  asarUnpack?: string[];
  files?: Array<{ filter: string[] } | string>;
  linux?: TargetList;
  mac?: TargetList;
  win?: TargetList;
  npmRebuild?: boolean;
  [key: string]: unknown;
}

// The loader and validator are internal modules of app-builder-lib, electron-builder's engine.
const require = createRequire(import.meta.url);
const { getConfig, validateConfiguration } = require('app-builder-lib/out/util/config/config.js') as {
  getConfig(projectDir: string, configPath: string, configFromOptions: null): Promise<BuilderConfig>;
  validateConfiguration(config: BuilderConfig, debugLogger: unknown): Promise<void>;
};
const { DebugLogger, log } = require('builder-util') as {
  DebugLogger: new (enabled: boolean) => unknown;
  log: { stream: NodeJS.WritableStream };
};

// electron-builder logs "loaded configuration" to stdout, and Node 20's test
// runner reads a test file's stdout as its serialized report, so a stray line
// there fails the whole file with "Unable to deserialize cloned data".
log.stream = process.stderr;

const projectDirectory = new URL('../..', import.meta.url).pathname;

function loadConfig(): Promise<BuilderConfig> {
  return getConfig(projectDirectory, 'electron-builder.yml', null);
}

function targetNames(list: TargetList | undefined): string[] {
  return (list?.target ?? []).map((entry) => (typeof entry === 'string' ? entry : entry.target));
}

function filePatterns(config: BuilderConfig): string[] {
  return (config.files ?? []).flatMap((entry) => (typeof entry === 'string' ? [entry] : entry.filter));
}

test('builder config passes validation', async () => {
  const config = await loadConfig();
  await validateConfiguration(config, new DebugLogger(false));
});

test('builder validator rejects unknown keys', async () => {
  const config = await loadConfig();
  await assert.rejects(validateConfiguration({ ...config, targetz: ['AppImage'] }, new DebugLogger(false)), /targetz/);
});

test('builder config targets every platform', async () => {
  const config = await loadConfig();
  assert.deepEqual(targetNames(config.linux).sort(), ['AppImage', 'deb']);
  assert.deepEqual(targetNames(config.mac), ['dmg']);
  assert.deepEqual(targetNames(config.win), ['nsis']);
});

test('builder config unpacks native modules', async () => {
  const config = await loadConfig();
  assert.ok(config.asarUnpack?.includes('node_modules/zeromq/**'), JSON.stringify(config.asarUnpack));
  assert.ok(config.asarUnpack?.some((pattern) => pattern.startsWith('native/build/')), JSON.stringify(config.asarUnpack));
  assert.equal(config.npmRebuild, false);
});

test('builder config packs the built app', async () => {
  const config = await loadConfig();
  const patterns = filePatterns(config);
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { main?: string };
  assert.equal(packageJson.main, 'dist/app/main/main.js');
  assert.ok(patterns.includes('dist/app/**/*.js'), JSON.stringify(patterns));
  assert.ok(patterns.includes('dist/app/main/preload.cjs'), JSON.stringify(patterns));
  assert.ok(patterns.includes('dist/renderer/**'), JSON.stringify(patterns));
});
