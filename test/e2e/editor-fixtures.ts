/**
 * Fixtures for the editor and monitor specs: a fresh `switchyard serve` per
 * test on a free loopback port, the page opened at its URL, and helpers that
 * act on the UI the way a user does.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { test as base, expect, type Locator, type Page } from '@playwright/test';

const ROOT = join(import.meta.dirname, '..', '..');
const RENDERER_INDEX = join(ROOT, 'dist', 'renderer', 'index.html');
const STARTUP_TIMEOUT_MS = 30_000;

interface WebHostProcess {
  url: string;
  child: ChildProcess;
}

/** Starts `switchyard serve --port 0` and resolves with the URL it prints. */
async function startServe(): Promise<WebHostProcess> {
  if (!existsSync(RENDERER_INDEX)) {
    throw new Error(`The renderer is not built: ${RENDERER_INDEX} is missing. Run "npm run build:renderer" first.`);
  }
  const child = spawn(process.execPath, [join(ROOT, 'bin', 'switchyard.js'), 'serve', '--port', '0'], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`switchyard serve printed no URL within ${STARTUP_TIMEOUT_MS} ms. Output:\n${output}`));
    }, STARTUP_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /serving at (http:\/\/\S+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`switchyard serve exited (code ${code}, signal ${signal}) before serving. Output:\n${output}`));
    });
  });
  return { url, child };
}

/** Stops the web host with SIGINT, which stops every device, and waits for its exit; SIGKILL after 10 s. */
async function stopServe(host: WebHostProcess): Promise<void> {
  const { child } = host;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGINT');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

export const test = base.extend<{ app: Page }>({
  app: async ({ page }, use, testInfo) => {
    test.skip(testInfo.project.name !== 'web', 'The editor specs drive switchyard serve in Chromium; the Electron binary is not installed here.');
    const host = await startServe();
    try {
      await page.goto(host.url);
      await expect(page.getByTestId('file-bar')).toBeVisible();
      await expect(page.getByTestId('connection')).toHaveCount(0);
      await use(page);
    } finally {
      await stopServe(host);
    }
  },
});

export { expect };

/** Returns the center of an element in page coordinates. */
async function center(locator: Locator): Promise<{ x: number; y: number }> {
  const box = await locator.boundingBox();
  if (!box) throw new Error(`${locator} has no bounding box; is it visible?`);
  return { x: box.x + box.width / 2, y: box.y + box.height / 2 };
}

/** Drags a wire from one socket handle to another, as in `connect(page, 'broker.out', 'sink.in')`. */
export async function connect(page: Page, from: string, to: string): Promise<void> {
  const [fromDevice, fromRole] = from.split('.');
  const [toDevice, toRole] = to.split('.');
  const start = await center(page.getByTestId(`handle-${fromDevice}-${fromRole}`));
  const end = await center(page.getByTestId(`handle-${toDevice}-${toRole}`));
  await page.mouse.move(start.x, start.y);
  await page.mouse.down();
  await page.mouse.move((start.x + end.x) / 2, (start.y + end.y) / 2, { steps: 5 });
  await page.mouse.move(end.x, end.y, { steps: 5 });
  await page.mouse.up();
}

/** Replaces a socket's bind or connect list in the inspector and commits it. */
export async function setEndpoints(page: Page, role: string, list: 'bind' | 'connect', endpoints: string[]): Promise<void> {
  const field = page.getByTestId(`socket-${role}-${list}`);
  await field.fill(endpoints.join('\n'));
  await field.blur();
  await expect(field).toHaveValue(endpoints.join('\n'));
}

/** Pastes a topology into the Import dialog and submits it. */
export async function importText(page: Page, text: string): Promise<void> {
  await page.getByTestId('file-import').click();
  const dirtyConfirm = page.getByTestId('confirm-ok');
  if (await dirtyConfirm.isVisible()) await dirtyConfirm.click();
  await page.getByTestId('import-text').fill(text);
  await page.getByTestId('import-submit').click();
}

/** Saves a screenshot under the test's output folder and attaches it to the report. */
export async function snapshot(page: Page, name: string): Promise<void> {
  const path = test.info().outputPath(`${name}.png`);
  await page.screenshot({ path });
  await test.info().attach(name, { path, contentType: 'image/png' });
}
