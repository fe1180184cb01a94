/** Graph editing: wiring, deleting a wire, undo and redo, moving, duplicating and deleting devices. */
import { readFile } from 'node:fs/promises';
import type { Page } from '@playwright/test';
import { connect, expect, snapshot, test } from './editor-fixtures.js';

async function exportJson(page: Page): Promise<{ layout: Record<string, { x: number; y: number }>; devices: Array<{ id: string }> }> {
  await page.getByTestId('export-format').selectOption('json');
  const download = page.waitForEvent('download');
  await page.getByTestId('file-export').click();
  return JSON.parse(await readFile(await (await download).path(), 'utf8'));
}

test('wire delete, undo and redo', async ({ app: page }) => {
  await page.getByTestId('palette-streamer').click();
  await page.getByTestId('palette-streamer').click();
  await expect(page.getByTestId('node-streamer2')).toBeVisible();
  await page.getByTestId('graph').getByRole('button', { name: 'fit view' }).click();

  await connect(page, 'streamer1.out', 'streamer2.in');
  const wire = page.locator('[data-testid^="wire-wire:streamer1.out->streamer2.in@"]');
  await expect(wire).toHaveCount(1);
  await snapshot(page, 'wired');

  // A peer node may cover the wire's middle, so the wire is selected from the keyboard.
  await wire.focus();
  await page.keyboard.press('Enter');
  await expect(wire).toHaveClass(/selected/);
  await page.keyboard.press('Delete');
  await expect(wire).toHaveCount(0);

  await page.keyboard.press('Control+z');
  await expect(wire).toHaveCount(1);
  await page.getByTestId('redo').click();
  await expect(wire).toHaveCount(0);
  await page.getByTestId('undo').click();
  await expect(wire).toHaveCount(1);
});

test('move, duplicate and delete devices', async ({ app: page }) => {
  await page.getByTestId('palette-queue').click();
  const node = page.getByTestId('node-queue1');
  await expect(node).toBeVisible();
  const before = (await exportJson(page)).layout.queue1!;

  const box = (await node.boundingBox())!;
  await page.mouse.move(box.x + box.width / 2, box.y + 12);
  await page.mouse.down();
  await page.mouse.move(box.x + box.width / 2 + 60, box.y + 92, { steps: 8 });
  await page.mouse.up();
  await expect.poll(async () => (await exportJson(page)).layout.queue1!.y).toBeGreaterThan(before.y);

  await node.click();
  await page.keyboard.press('Control+d');
  await expect(page.getByTestId('node-queue2')).toBeVisible();
  await expect(page.getByTestId('inspector-queue2')).toBeVisible();

  await page.getByTestId('node-queue2').click();
  await page.keyboard.press('Delete');
  await expect(page.getByTestId('node-queue2')).toHaveCount(0);
  expect((await exportJson(page)).devices.map((device) => device.id)).toEqual(['queue1']);
  await snapshot(page, 'after-delete');
});

test('ipc endpoint shows a peer', async ({ app: page }) => {
  await page.getByTestId('palette-streamer').click();
  await page.getByTestId('node-streamer1').click();
  const endpoint = 'ipc:///tmp/switchyard-editor-e2e.sock';
  const field = page.getByTestId('socket-in-connect');
  await field.fill(endpoint);
  await field.blur();
  await expect(page.getByTestId(`peer-${endpoint}`)).toBeVisible();
  await expect(page.getByTestId(`peer-${endpoint}`)).toHaveAttribute('data-kind', 'server');
});
