/**
 * The main-process IPC bridge, run under plain Node against a real engine:
 * the sender check, then the envelope and payload checks, then the command.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ResponseEnvelope } from '../../app/core/contract.js';
import { Engine } from '../../app/engine/engine.js';
import { ChildProcessHost } from '../../app/engine/host.js';
import { checkSender, handleIpcCommand, type IpcSender } from '../../app/main/ipc-bridge.js';

const WINDOW_ID = 7;
const OWN_SENDER: IpcSender = { webContentsId: WINDOW_ID, frameUrl: 'app://switchyard/index.html', isMainFrame: true };

describe('checkSender', () => {
  const cases: Array<{ name: string; sender: IpcSender; windowId: number | undefined; accepted: boolean }> = [
    { name: 'own window and renderer', sender: OWN_SENDER, windowId: WINDOW_ID, accepted: true },
    { name: 'renderer with query', sender: { ...OWN_SENDER, frameUrl: 'app://switchyard/index.html?x=1' }, windowId: WINDOW_ID, accepted: true },
    { name: 'other webContents', sender: { ...OWN_SENDER, webContentsId: 8 }, windowId: WINDOW_ID, accepted: false },
    { name: 'window not created yet', sender: OWN_SENDER, windowId: undefined, accepted: false },
    { name: 'subframe', sender: { ...OWN_SENDER, isMainFrame: false }, windowId: WINDOW_ID, accepted: false },
    { name: 'destroyed frame', sender: { ...OWN_SENDER, frameUrl: null }, windowId: WINDOW_ID, accepted: false },
    { name: 'file URL', sender: { ...OWN_SENDER, frameUrl: 'file:///work/index.html' }, windowId: WINDOW_ID, accepted: false },
    { name: 'web page', sender: { ...OWN_SENDER, frameUrl: 'https://example.invalid/' }, windowId: WINDOW_ID, accepted: false },
    { name: 'other app host', sender: { ...OWN_SENDER, frameUrl: 'app://other/index.html' }, windowId: WINDOW_ID, accepted: false },
    { name: 'lookalike host', sender: { ...OWN_SENDER, frameUrl: 'app://switchyard.invalid/index.html' }, windowId: WINDOW_ID, accepted: false },
    { name: 'unparsable URL', sender: { ...OWN_SENDER, frameUrl: 'not a url' }, windowId: WINDOW_ID, accepted: false },
  ];
  for (const { name, sender, windowId, accepted } of cases) {
    test(name, () => {
      assert.equal(checkSender(sender, windowId).ok, accepted);
    });
  }
});

describe('handleIpcCommand', () => {
  let engine: Engine;
  const logged: string[] = [];
  const log = (message: string): void => {
    logged.push(message);
  };

  before(() => {
    engine = new Engine({ host: new ChildProcessHost() });
  });

  after(async () => {
    await engine.close();
  });

  function invoke(message: unknown, sender: IpcSender = OWN_SENDER): Promise<ResponseEnvelope> {
    return handleIpcCommand(engine, sender, WINDOW_ID, message, log);
  }

  function errorOf(response: ResponseEnvelope): { code: string; message: string } {
    if (response.ok) return assert.fail(`Expected an error response, got ${JSON.stringify(response)}`);
    return response.error;
  }

  test('runs a valid command', async () => {
    const response = await invoke({ type: 'request', id: 1, command: 'document:get', payload: {} });
    assert.equal(response.id, 1);
    assert.equal(response.ok, true);
    const result = response.ok ? (response.result as { document: { version: number } }) : undefined;
    assert.equal(result?.document.version, 1);
  });

  test('rejects a foreign sender before parsing', async () => {
    const response = await invoke(
      { type: 'request', id: 2, command: 'device:start', payload: {} },
      { ...OWN_SENDER, frameUrl: 'https://example.invalid/' },
    );
    assert.equal(response.id, 2);
    assert.equal(errorOf(response).code, 'invalid-request');
    assert.match(errorOf(response).message, /not the Switchyard renderer/);
    assert.match(logged.at(-1) ?? '', /Rejected an IPC command/);
  });

  test('rejects a malformed envelope', async () => {
    for (const message of [null, 'document:get', { type: 'request', command: 'document:get' }, { type: 'event', id: 3, command: 'x' }]) {
      const response = await invoke(message);
      assert.equal(errorOf(response).code, 'invalid-request', JSON.stringify(message));
    }
  });

  test('rejects an unknown command', async () => {
    const response = await invoke({ type: 'request', id: 4, command: 'shell:exec', payload: {} });
    assert.equal(errorOf(response).code, 'unknown-command');
    assert.match(errorOf(response).message, /shell:exec/);
  });

  test('rejects an invalid payload', async () => {
    const response = await invoke({ type: 'request', id: 5, command: 'document:replace', payload: { document: { version: 2 } } });
    assert.equal(errorOf(response).code, 'invalid-request');
    assert.match(errorOf(response).message, /document:replace/);
  });

  test('rejects extra payload fields', async () => {
    const response = await invoke({ type: 'request', id: 6, command: 'document:get', payload: { path: '/etc/passwd' } });
    assert.equal(errorOf(response).code, 'invalid-request');
  });

  test('reports engine errors', async () => {
    const response = await invoke({ type: 'request', id: 7, command: 'document:import', payload: { text: '{ not json', format: 'json' } });
    assert.equal(response.id, 7);
    assert.equal(errorOf(response).code, 'command-failed');
    assert.ok(errorOf(response).message.length > 0);
  });
});
