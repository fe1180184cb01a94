/**
 * The `app` fixture: a running Switchyard UI and domain helpers to drive it.
 * In the `web` project it starts `switchyard serve` on a free port and opens
 * its URL in Chromium. In the `electron` project it launches the desktop app,
 * or skips the test when the Electron binary is missing. Teardown stops the
 * host and checks that every device process it started has exited.
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { test as base, expect, _electron, type Locator, type Page, type TestInfo } from '@playwright/test';
import type { DeviceState } from '../../app/core/contract.js';
import type { Topology } from '../../app/core/topology.js';
import { findElectronBinary, missingElectronMessage } from '../../app/main/electron-binary.js';

export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Bound on each start and stop of the host, in milliseconds. */
const HOST_TIMEOUT_MS = 30_000;
/** Bound on a device process exiting after its host stopped, in milliseconds. */
const PROCESS_EXIT_TIMEOUT_MS = 10_000;

export class SwitchyardApp {
  /** Pids of device workers seen running, checked for exit at teardown. */
  readonly workerPids = new Set<number>();

  constructor(
    readonly page: Page,
    private readonly testInfo: TestInfo,
  ) {}

  /** Shows the device list, which the workbench keeps in its "Devices" tab. */
  async showDeviceList(): Promise<void> {
    const tab = this.page.getByTestId('tab-devices');
    if ((await tab.count()) > 0) await tab.click();
  }

  device(id: string): Locator {
    return this.page.getByTestId(`device-${id}`);
  }

  async openExample(index = 0): Promise<void> {
    await this.page.getByTestId('example-select').selectOption(String(index));
    await this.page.getByTestId('open-example').click();
  }

  /** Loads a topology through the Open control's file input, as a user picking a JSON file would. */
  async importTopology(topology: Topology): Promise<void> {
    await this.page.getByTestId('file-open-input').setInputFiles({
      name: `${topology.name}.json`,
      mimeType: 'application/json',
      buffer: Buffer.from(JSON.stringify(topology, null, 2)),
    });
    await expect(this.page.getByTestId('topology-name')).toHaveText(topology.name);
  }

  async start(id: string): Promise<void> {
    await this.device(id).getByTestId('start').click();
  }

  async stop(id: string): Promise<void> {
    await this.device(id).getByTestId('stop').click();
  }

  /** Waits for a device to reach `state`; for `running`, records its worker pid. */
  async expectState(id: string, state: DeviceState['state']): Promise<void> {
    const row = this.device(id);
    await expect(row).toHaveAttribute('data-state', state);
    if (state !== 'running') return;
    const pid = Number(await row.getAttribute('data-pid'));
    if (Number.isInteger(pid) && pid > 0) this.workerPids.add(pid);
  }

  /** Returns a counter cell's number, such as `messages-in`. */
  async counter(id: string, cell: 'messages-in' | 'messages-out'): Promise<number> {
    return Number(await this.device(id).getByTestId(cell).textContent());
  }

  async screenshot(name: string): Promise<void> {
    const path = this.testInfo.outputPath(`${name}.png`);
    await this.page.screenshot({ path, fullPage: true });
    await this.testInfo.attach(name, { path, contentType: 'image/png' });
  }
}

export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Polls until every pid has exited, failing with the ones left after the bound. */
export async function expectProcessesGone(pids: Iterable<number>): Promise<void> {
  await expect
    .poll(() => [...pids].filter(isProcessAlive), {
      message: 'device worker processes still alive after their host stopped',
      timeout: PROCESS_EXIT_TIMEOUT_MS,
    })
    .toEqual([]);
}

type ServeProcess = ChildProcessByStdio<null, Readable, Readable>;

/** Starts `switchyard serve` from the source checkout and resolves with the URL it prints. */
async function startServe(testInfo: TestInfo): Promise<{ child: ServeProcess; url: string; output: string[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', join(PROJECT_ROOT, 'app', 'cli', 'main.ts'), 'serve', '--port', '0'], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => output.push(chunk));
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`switchyard serve printed no URL within ${HOST_TIMEOUT_MS} ms. Its output:\n${output.join('')}`)),
      HOST_TIMEOUT_MS,
    );
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      output.push(chunk);
      const match = /serving at (http:\/\/\S+)/.exec(output.join(''));
      if (match?.[1]) {
        clearTimeout(timer);
        resolve(match[1]);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`switchyard serve exited with code ${code} before printing its URL. Its output:\n${output.join('')}`));
    });
  });
  testInfo.annotations.push({ type: 'serve', description: url.replace(/token=.*/, 'token=…') });
  return { child, url, output };
}

/** Stops `switchyard serve` with SIGTERM and returns its exit code; SIGKILL after the bound fails the test. */
async function stopServe(child: ServeProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), HOST_TIMEOUT_MS);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

export const test = base.extend<{ app: SwitchyardApp }>({
  app: async ({ playwright }, use, testInfo) => {
    if (testInfo.project.name === 'electron') {
      const binary = findElectronBinary();
      testInfo.skip(!binary.ok, binary.ok ? '' : missingElectronMessage(binary.reason));
      if (!binary.ok) return;
      const mainScript = join(PROJECT_ROOT, 'dist', 'app', 'main', 'main.js');
      if (!existsSync(mainScript) || !existsSync(join(PROJECT_ROOT, 'dist', 'renderer', 'index.html'))) {
        throw new Error(`The desktop app is not built (${mainScript} or dist/renderer is missing). Run "npm run build:renderer && npm run build:electron".`);
      }
      const userData = await mkdtemp(join(tmpdir(), 'switchyard-e2e-'));
      const electronApp = await _electron.launch({
        executablePath: binary.path,
        args: [PROJECT_ROOT],
        env: { ...process.env, SWITCHYARD_USER_DATA: userData },
      });
      const app = new SwitchyardApp(await electronApp.firstWindow(), testInfo);
      await expect(app.page.getByTestId('toolbar')).toBeVisible();
      await app.showDeviceList();
      await use(app);
      await electronApp.close();
      await expectProcessesGone(app.workerPids);
      await rm(userData, { recursive: true, force: true });
      return;
    }

    const serve = await startServe(testInfo);
    const browser = await playwright.chromium.launch(testInfo.project.use.launchOptions);
    try {
      const page = await browser.newPage();
      const app = new SwitchyardApp(page, testInfo);
      await page.goto(serve.url);
      await expect(page.getByTestId('toolbar')).toBeVisible();
      await app.showDeviceList();
      await use(app);
      await browser.close();
      const exitCode = await stopServe(serve.child);
      await testInfo.attach('serve output', { body: serve.output.join(''), contentType: 'text/plain' });
      expect(exitCode, 'switchyard serve exit code after SIGTERM').toBe(0);
      await expectProcessesGone(app.workerPids);
    } finally {
      await browser.close();
      await stopServe(serve.child);
    }
  },
});

export { expect };
