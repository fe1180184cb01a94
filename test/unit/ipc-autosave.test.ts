/**
 * Desktop-app pieces that run under plain Node: the autosave with its crash
 * marker, and the application menu template.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { MenuItemConstructorOptions } from 'electron';
import type { Topology } from '../../app/core/topology.js';
import { AUTOSAVE_FILE, Autosave, RUNNING_MARKER_FILE } from '../../app/main/autosave.js';
import { buildMenuTemplate, type MenuActions } from '../../app/main/menu.js';

const DOCUMENT: Topology = {
  version: 1,
  name: 'autosaved',
  devices: [
    {
      id: 'pipeline',
      kind: 'streamer',
      in: { type: 'PULL', bind: ['tcp://127.0.0.1:44301'] },
      out: { type: 'PUSH', bind: ['tcp://127.0.0.1:44302'] },
    },
  ],
};

describe('Autosave', () => {
  let folder: string;
  const errors: string[] = [];

  beforeEach(async () => {
    folder = await mkdtemp(join(tmpdir(), 'switchyard-autosave-'));
    errors.length = 0;
  });

  afterEach(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  function autosave(): Autosave {
    return new Autosave(folder, (message) => errors.push(message), 10);
  }

  test('first start offers nothing', async () => {
    assert.equal(await autosave().beginSession(), undefined);
    assert.equal((await readFile(join(folder, RUNNING_MARKER_FILE), 'utf8')).trim(), String(process.pid));
  });

  test('clean quit offers nothing', async () => {
    const first = autosave();
    await first.beginSession();
    first.schedule(DOCUMENT);
    await first.endSession();

    assert.deepEqual(JSON.parse(await readFile(join(folder, AUTOSAVE_FILE), 'utf8')), DOCUMENT);
    assert.equal(await autosave().beginSession(), undefined);
  });

  test('crash offers the autosave', async () => {
    const first = autosave();
    await first.beginSession();
    first.schedule({ ...DOCUMENT, name: 'older' });
    first.schedule(DOCUMENT);
    await first.flush();

    assert.deepEqual(await autosave().beginSession(), DOCUMENT);
  });

  test('scheduled write lands after the delay', async () => {
    const session = autosave();
    await session.beginSession();
    session.schedule(DOCUMENT);
    const deadline = Date.now() + 5_000;
    let text: string | undefined;
    while (text === undefined && Date.now() < deadline) {
      text = await readFile(join(folder, AUTOSAVE_FILE), 'utf8').catch(() => undefined);
      if (text === undefined) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    assert.deepEqual(JSON.parse(text ?? 'null'), DOCUMENT);
    await session.endSession();
  });

  test('invalid autosave is not offered', async () => {
    await writeFile(join(folder, RUNNING_MARKER_FILE), '1\n');
    await writeFile(join(folder, AUTOSAVE_FILE), JSON.stringify({ version: 99, name: 'future' }));

    assert.equal(await autosave().beginSession(), undefined);
    assert.equal(errors.length, 1);
    assert.match(errors[0] ?? '', /not valid/);
  });

  test('discard removes the autosave', async () => {
    await writeFile(join(folder, RUNNING_MARKER_FILE), '1\n');
    await writeFile(join(folder, AUTOSAVE_FILE), JSON.stringify(DOCUMENT));
    const session = autosave();
    await session.discard();

    assert.equal(await autosave().beginSession(), undefined);
    assert.deepEqual(errors, []);
  });
});

describe('buildMenuTemplate', () => {
  function items(template: MenuItemConstructorOptions[]): MenuItemConstructorOptions[] {
    return template.flatMap((menu) => (Array.isArray(menu.submenu) ? menu.submenu : []));
  }

  test('every action has an entry and accelerator', () => {
    const called: string[] = [];
    const actions = new Proxy({} as MenuActions, {
      get: (_target, name) => () => called.push(String(name)),
    });
    const entries = items(buildMenuTemplate(actions, 'linux')).filter((item) => item.label !== undefined);
    const expected: Array<[string, string]> = [
      ['New', 'CmdOrCtrl+N'],
      ['Open…', 'CmdOrCtrl+O'],
      ['Save', 'CmdOrCtrl+S'],
      ['Save As…', 'CmdOrCtrl+Shift+S'],
      ['Export…', 'CmdOrCtrl+E'],
      ['Quit', 'CmdOrCtrl+Q'],
      ['Start All', 'F5'],
      ['Stop All', 'Shift+F5'],
    ];
    assert.deepEqual(
      entries.map((item) => [item.label, item.accelerator]),
      expected,
    );

    for (const item of entries) (item.click as () => void)();
    assert.deepEqual(called, ['newDocument', 'open', 'save', 'saveAs', 'exportAs', 'quit', 'startAll', 'stopAll']);
  });

  test('macOS gets the app menu first', () => {
    const actions = new Proxy({} as MenuActions, { get: () => () => undefined });
    assert.equal(buildMenuTemplate(actions, 'darwin')[0]?.role, 'appMenu');
    assert.equal(buildMenuTemplate(actions, 'linux')[0]?.label, '&File');
  });
});
