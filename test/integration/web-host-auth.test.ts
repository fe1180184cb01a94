/**
 * The web host's access rules, over a real HTTP server and real WebSockets on
 * loopback, with a real engine behind them.
 *
 *   test client --ws /ws?token=...--> web host (127.0.0.1:0) --> Engine --> ChildProcessHost
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import type { Topology } from '../../app/core/topology.js';
import { startWebHost, type WebHost } from '../../app/cli/serve.js';
import { Engine } from '../../app/engine/engine.js';
import { ChildProcessHost } from '../../app/engine/host.js';
import { ContractClient } from './web-host-client.js';

const TIMEOUT_MS = 5_000;

let engine: Engine;
let webHost: WebHost;
let rendererDirectory: string;

before(async () => {
  rendererDirectory = await mkdtemp(join(tmpdir(), 'switchyard-web-host-'));
  await writeFile(join(rendererDirectory, 'index.html'), '<!doctype html><title>test page</title>');
  await writeFile(join(rendererDirectory, 'app.js'), 'export {};');
  engine = new Engine({ host: new ChildProcessHost() });
  webHost = await startWebHost({ engine, rendererDirectory, host: '127.0.0.1', port: 0 });
});

after(async () => {
  await webHost.close();
  await engine.close();
  await rm(rendererDirectory, { recursive: true, force: true });
});

/** Opens a WebSocket and resolves with the HTTP status of a rejected upgrade, or 101 when it opened. */
function upgradeStatus(url: string, origin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, origin === undefined ? {} : { origin });
    const timer = setTimeout(() => reject(new Error(`No answer to the upgrade of ${url} within ${TIMEOUT_MS} ms.`)), TIMEOUT_MS);
    socket.on('unexpected-response', (_request, response) => {
      clearTimeout(timer);
      resolve(response.statusCode ?? 0);
      socket.terminate();
    });
    socket.on('open', () => {
      clearTimeout(timer);
      resolve(101);
      socket.close();
    });
    socket.on('error', () => undefined);
  });
}

function httpGet(path: string): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port: webHost.port, path, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end();
  });
}

function socketUrl(token: string | undefined, path = '/ws'): string {
  const query = token === undefined ? '' : `?token=${encodeURIComponent(token)}`;
  return `ws://127.0.0.1:${webHost.port}${path}${query}`;
}

describe('web host upgrade', () => {
  test('rejects missing token', async () => {
    assert.equal(await upgradeStatus(socketUrl(undefined), webHost.origin), 401);
  });

  test('rejects wrong token', async () => {
    assert.equal(await upgradeStatus(socketUrl(`${webHost.token}x`), webHost.origin), 401);
    assert.equal(await upgradeStatus(socketUrl('A'.repeat(webHost.token.length)), webHost.origin), 401);
  });

  test('rejects foreign origin', async () => {
    assert.equal(await upgradeStatus(socketUrl(webHost.token), 'http://attacker.invalid'), 403);
    assert.equal(await upgradeStatus(socketUrl(webHost.token), `http://127.0.0.1:${webHost.port + 1}`), 403);
  });

  test('rejects other paths', async () => {
    assert.equal(await upgradeStatus(socketUrl(webHost.token, '/socket'), webHost.origin), 404);
  });

  test('accepts token and served origin', async () => {
    assert.equal(await upgradeStatus(socketUrl(webHost.token), webHost.origin), 101);
    assert.equal(await upgradeStatus(socketUrl(webHost.token), `http://localhost:${webHost.port}`), 101);
  });
});

describe('web host contract', () => {
  test('round-trips a command and its event', async () => {
    const client = await ContractClient.open(socketUrl(webHost.token), webHost.origin);
    const topology: Topology = {
      version: 1,
      name: 'auth-round-trip',
      devices: [
        {
          id: 'pipeline',
          kind: 'streamer',
          in: { type: 'PULL', bind: ['tcp://127.0.0.1:44011'] },
          out: { type: 'PUSH', bind: ['tcp://127.0.0.1:44012'] },
        },
      ],
    };

    client.send({ type: 'request', id: 1, command: 'document:replace', payload: { document: topology } });
    const replaced = (await client.result(1)) as { document: Topology };
    assert.equal(replaced.document.name, 'auth-round-trip');

    const changed = await client.waitFor((message) => message.type === 'event' && message.event === 'document:changed', 'a document:changed event');
    assert.equal(changed.type, 'event');
    assert.equal((changed.type === 'event' ? (changed.payload as { document: Topology }) : undefined)?.document.name, 'auth-round-trip');

    client.send({ type: 'request', id: 2, command: 'document:get', payload: {} });
    const current = (await client.result(2)) as { document: Topology };
    assert.deepEqual(current.document.devices.map((device) => device.id), ['pipeline']);

    await client.close();
  });

  test('reports invalid requests', async () => {
    const client = await ContractClient.open(socketUrl(webHost.token), webHost.origin);

    client.send({ type: 'request', id: 7, command: 'device:launch', payload: {} });
    const unknown = await client.error(7);
    assert.equal(unknown.code, 'unknown-command');
    assert.match(unknown.message, /device:launch/);

    client.send({ type: 'request', id: 8, command: 'device:start', payload: { ids: 'pipeline' } });
    const invalid = await client.error(8);
    assert.equal(invalid.code, 'invalid-request');
    assert.match(invalid.message, /ids/);

    client.send({ type: 'request', id: 9, command: 'device:start', payload: { ids: ['nonexistent'] } });
    const failed = await client.error(9);
    assert.equal(failed.code, 'command-failed');

    client.send('not json');
    const garbled = await client.error(0);
    assert.equal(garbled.code, 'invalid-request');

    await client.close();
  });
});

describe('web host http', () => {
  test('rejects page without token', async () => {
    const response = await httpGet('/');
    assert.equal(response.status, 401);
    assert.match(response.body, /token/);
  });

  test('serves page with token', async () => {
    const response = await httpGet(`/?token=${encodeURIComponent(webHost.token)}`);
    assert.equal(response.status, 200);
    assert.match(response.body, /test page/);
    assert.match(String(response.headers['content-security-policy']), /script-src 'self'/);
    assert.equal(response.headers['referrer-policy'], 'no-referrer');
  });

  test('serves assets without token', async () => {
    const response = await httpGet('/app.js');
    assert.equal(response.status, 200);
    assert.match(String(response.headers['content-type']), /text\/javascript/);
  });

  test('rejects paths outside the build', async () => {
    assert.equal((await httpGet('/../package.json')).status, 404);
    assert.equal((await httpGet('/%2e%2e/%2e%2e/package.json')).status, 404);
    assert.equal((await httpGet('/%E0%A4%A')).status, 404);
  });
});
