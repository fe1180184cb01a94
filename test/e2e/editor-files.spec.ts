/**
 * Files and validation in the editor: export and re-import, PyZMQ export,
 * malformed imports, rejected wires and live warnings.
 */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { connect, expect, importText, snapshot, test } from './editor-fixtures.js';

async function exportAs(page: Page, format: 'json' | 'yaml' | 'pyzmq'): Promise<{ name: string; text: string }> {
  await page.getByTestId('export-format').selectOption(format);
  const download = page.waitForEvent('download');
  await page.getByTestId('file-export').click();
  const file = await download;
  const path = await file.path();
  return { name: file.suggestedFilename(), text: await readFile(path, 'utf8') };
}

test('export and import round trip', async ({ app: page }) => {
  await page.getByTestId('palette-monitored-queue').click();
  await page.getByTestId('palette-streamer').click();
  await expect(page.getByTestId('node-streamer1')).toBeVisible();
  await expect(page.getByTestId('dirty-mark')).toBeVisible();

  const exported = await exportAs(page, 'json');
  expect(exported.name).toBe('untitled.json');
  const original = JSON.parse(exported.text);
  expect(original.devices.map((device: { id: string }) => device.id)).toEqual(['broker1', 'streamer1']);

  // New over unsaved changes opens a confirmation, and Cancel keeps the document.
  await page.getByTestId('file-new').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('node-broker1')).toBeVisible();

  await page.getByTestId('file-new').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('graph-empty')).toBeVisible();

  await page.getByTestId('file-open-input').setInputFiles({
    name: 'round-trip.json',
    mimeType: 'application/json',
    buffer: Buffer.from(exported.text),
  });
  await expect(page.getByTestId('node-broker1')).toBeVisible();
  await expect(page.getByTestId('dirty-mark')).toHaveCount(0);

  const again = await exportAs(page, 'json');
  expect(JSON.parse(again.text)).toEqual(original);

  // Ctrl+S saves as JSON and clears the unsaved-changes mark.
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('dirty-mark')).toBeVisible();
  const saved = page.waitForEvent('download');
  await page.keyboard.press('Control+s');
  expect((await saved).suggestedFilename()).toBe('untitled.json');
  await expect(page.getByTestId('dirty-mark')).toHaveCount(0);

  const pyzmq = await exportAs(page, 'pyzmq');
  expect(pyzmq.name).toBe('untitled.py');
  expect(pyzmq.text).toContain('import zmq');
  expect(pyzmq.text).toContain('tcp://127.0.0.1:5555');
  await snapshot(page, 'round-trip');
});

test('open example asks before discarding', async ({ app: page }) => {
  await expect(page.getByTestId('file-import')).toHaveCount(1);
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('node-queue1')).toBeVisible();
  await expect(page.getByTestId('dirty-mark')).toBeVisible();

  await page.getByTestId('example-select').selectOption('0');
  await page.getByTestId('open-example').click();
  await expect(page.getByTestId('confirm-dialog')).toBeVisible();
  await page.getByTestId('confirm-cancel').click();
  await expect(page.getByTestId('node-queue1')).toBeVisible();
  await expect(page.getByTestId('topology-name')).toHaveText('untitled');

  await page.getByTestId('open-example').click();
  await page.getByTestId('confirm-ok').click();
  await expect(page.getByTestId('topology-name')).toHaveText('task-broker');
  await expect(page.getByTestId('node-queue1')).toHaveCount(0);
  await expect(page.getByTestId('dirty-mark')).toHaveCount(0);
  await snapshot(page, 'example-opened');
});

test('malformed import leaves document', async ({ app: page }) => {
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('node-queue1')).toBeVisible();

  const malformed = JSON.stringify({
    version: 1,
    name: 'broken',
    devices: [{ id: 'a', kind: 'queue', in: { type: 'ROUTERX' }, out: { type: 'DEALER', bind: 'tcp://127.0.0.1:1' } }],
  });
  await importText(page, malformed);

  const errors = page.getByTestId('import-errors');
  await expect(errors).toBeVisible();
  await expect(errors).toContainText('open document is unchanged');
  await expect(errors.getByTestId('import-error').filter({ hasText: '$.devices[0].in.type' })).toHaveCount(1);
  await expect(errors.getByTestId('import-error').filter({ hasText: '$.devices[0].out.bind' })).toHaveCount(1);
  await snapshot(page, 'malformed-import');

  await page.getByTestId('import-cancel').click();
  await expect(page.getByTestId('import-dialog')).toHaveCount(0);
  await expect(page.getByTestId('node-queue1')).toBeVisible();
  await expect(page.getByTestId('document-title')).toContainText('untitled');

  // A rejected file lists its errors until an edit succeeds.
  await page.getByTestId('file-open-input').setInputFiles({ name: 'broken.json', mimeType: 'application/json', buffer: Buffer.from(malformed) });
  await expect(errors).toBeVisible();
  await expect(errors).toContainText('"broken.json": The topology was not imported');
  await expect(errors.getByTestId('import-error')).toHaveCount(2);
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('node-queue2')).toBeVisible();
  await expect(errors).toHaveCount(0);
});

test('incompatible wire is rejected', async ({ app: page }) => {
  await page.getByTestId('palette-queue').click();
  await page.getByTestId('palette-forwarder').click();
  await expect(page.getByTestId('node-forwarder1')).toBeVisible();
  await page.getByTestId('graph').getByRole('button', { name: 'fit view' }).click();

  await connect(page, 'queue1.out', 'forwarder1.out');
  const notice = page.getByTestId('editor-notice');
  await expect(notice).toHaveAttribute('data-kind', 'error');
  await expect(notice).toContainText('Cannot wire queue1.out (DEALER) to forwarder1.out (XPUB)');
  await expect(notice).toContainText('drops such a peer silently');
  await snapshot(page, 'incompatible-wire');

  // DEALER to ROUTER pairs, so that wire is written.
  await page.getByTestId('palette-queue').click();
  await expect(page.getByTestId('node-queue2')).toBeVisible();
  await page.getByTestId('graph').getByRole('button', { name: 'fit view' }).click();
  await connect(page, 'queue1.out', 'queue2.in');
  await expect(page.locator('[data-testid^="wire-wire:queue1.out->queue2.in@"]')).toHaveCount(1);
});

test('SUB without subscription warns', async ({ app: page }) => {
  await page.getByTestId('palette-forwarder').click();
  await page.getByTestId('node-forwarder1').click();
  await page.getByTestId('socket-in-type').selectOption('SUB');

  await page.getByTestId('tab-problems').click();
  const warning = page.getByTestId('problem').filter({ hasText: /subscri/i });
  await expect(warning).toHaveAttribute('data-severity', 'warning');
  await snapshot(page, 'sub-warning');

  await warning.click();
  await expect(page.getByTestId('inspector-forwarder1')).toBeVisible();
  await expect(page.getByTestId('socket-in-type')).toBeFocused();

  await page.getByTestId('add-option-in').selectOption('subscribe');
  await expect(page.getByTestId('option-subscribe')).toBeVisible();
  await expect(page.getByTestId('problem').filter({ hasText: /subscri/i })).toHaveCount(0);
});
