/**
 * The live monitor against a running streamer-style monitored queue:
 *
 *   test PUSH --> 462x1 [in PULL | relay | out PUSH] 462x2 --> test PULL
 *                                 | mon PUB 462x3 | --> the app's tap
 */
import { spawn, spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Page } from '@playwright/test';
import { Pull, Push } from 'zeromq';
import { expect, importText, snapshot, test } from './editor-fixtures.js';

function pipeline(base: number) {
  return {
    endpoints: {
      in: `tcp://127.0.0.1:${base + 1}`,
      out: `tcp://127.0.0.1:${base + 2}`,
      mon: `tcp://127.0.0.1:${base + 3}`,
    },
    text: JSON.stringify({
      version: 1,
      name: 'monitor-test',
      devices: [
        {
          id: 'pipe',
          kind: 'monitored-queue',
          in: { type: 'PULL', bind: [`tcp://127.0.0.1:${base + 1}`] },
          out: { type: 'PUSH', bind: [`tcp://127.0.0.1:${base + 2}`] },
          mon: { type: 'PUB', bind: [`tcp://127.0.0.1:${base + 3}`] },
        },
      ],
      layout: { pipe: { x: 200, y: 120 } },
    }),
  };
}

/** Opens the topology, taps the monitor and starts the device. */
async function startPipeline(page: Page, text: string): Promise<void> {
  await importText(page, text);
  await expect(page.getByTestId('node-pipe')).toBeVisible();
  await page.getByTestId('tap-pipe').check();
  await page.getByTestId('node-pipe').click();
  await page.getByTestId('device-start').click();
  await expect(page.getByTestId('node-pipe')).toHaveAttribute('data-state', 'running');
}

/** Stops the device and waits until the engine reports it stopped, so its ports are free for the next test. */
async function stopPipeline(page: Page): Promise<void> {
  await page.getByTestId('node-pipe').click();
  await page.getByTestId('device-stop').click();
  await expect(page.getByTestId('node-pipe')).toHaveAttribute('data-state', 'stopped');
}

/** Drains the device's out socket until the socket is closed. */
function drain(pull: Pull): Promise<void> {
  return (async () => {
    for (;;) {
      try {
        await pull.receive();
      } catch {
        return;
      }
    }
  })();
}

test('regex filter and hex view', async ({ app: page }) => {
  const { endpoints, text } = pipeline(46200);
  await startPipeline(page, text);

  const push = new Push({ linger: 0, sendTimeout: 2000 });
  const pull = new Pull({ linger: 0 });
  push.connect(endpoints.in);
  pull.connect(endpoints.out);
  const drained = drain(pull);

  try {
    // The tap's subscription may reach the monitor after the first sends (slow joiner), so send rounds until rows show.
    const rows = page.getByTestId('monitor-row');
    for (let round = 0; round < 50 && (await rows.count()) < 3; round++) {
      await push.send(`alpha ${round}`);
      await push.send(`beta ${round}`);
      await push.send(JSON.stringify({ round }));
      await expect.poll(() => rows.count(), { timeout: 1000 }).toBeGreaterThan(0).catch(() => undefined);
    }
    await expect(rows.filter({ hasText: 'beta' }).first()).toBeVisible();

    await page.getByTestId('monitor-regex').fill('^beta \\d+$');
    await expect(rows.first()).toContainText('beta');
    const shown = await rows.count();
    for (let i = 0; i < shown; i++) await expect(rows.nth(i).getByTestId('row-text')).toHaveText(/^beta \d+$/);

    await rows.first().click();
    await page.getByTestId('format-hex').click();
    await expect(page.getByTestId('frame-detail').getByTestId('frame').first()).toHaveText(/^62 65 74 61 20( 3\d)+$/);
    await snapshot(page, 'regex-hex');

    await page.getByTestId('monitor-regex').fill('beta(');
    await expect(page.getByTestId('monitor-filter-error')).toContainText('Invalid regular expression "beta("');
    await page.getByTestId('monitor-regex').fill('"round"');
    await rows.first().click();
    await page.getByTestId('format-json').click();
    await expect(page.getByTestId('frame-detail').getByTestId('frame').first()).toContainText('"round":');
  } finally {
    push.close();
    pull.close();
    await drained;
  }
  await stopPipeline(page);
});

/** Messages per second the flood aims for, and how long it lasts. */
const FLOOD_RATE = 100_000;
const FLOOD_SECONDS = 4;

const PYTHON = '/usr/bin/python3';
const FLOOD_SENDER = fileURLToPath(new URL('./flood_sender.py', import.meta.url));
const pyzmqProbe = spawnSync(PYTHON, ['-c', 'import zmq'], { encoding: 'utf8' });

test('flood keeps the page responsive', async ({ app: page }) => {
  test.skip(
    pyzmqProbe.status !== 0,
    `The flood sender needs PyZMQ for ${PYTHON} (${(pyzmqProbe.stderr || String(pyzmqProbe.error)).trim()}); install python3-zmq.`,
  );
  const { endpoints, text } = pipeline(46210);
  await startPipeline(page, text);

  const pull = new Pull({ linger: 0 });
  pull.connect(endpoints.out);
  const drained = drain(pull);

  // The sender stops by itself after FLOOD_RATE * FLOOD_SECONDS messages or 3 * FLOOD_SECONDS seconds.
  const sender = spawn(PYTHON, [FLOOD_SENDER, endpoints.in, String(FLOOD_RATE), String(FLOOD_SECONDS)], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let senderOutput = '';
  sender.stdout.setEncoding('utf8').on('data', (chunk: string) => (senderOutput += chunk));
  const senderExited = new Promise<number | null>((resolve) => sender.on('exit', (code) => resolve(code)));

  try {
    await expect(page.getByTestId('monitor-size')).not.toHaveText('0', { timeout: 15_000 });

    // Measured inside the page, from the click event to the frame that shows the handler's result, so the
    // test process's own load does not count.
    const pause = page.getByTestId('monitor-pause');
    const pageDelay = await pause.evaluate(
      (button) =>
        new Promise<number>((resolve) => {
          const started = performance.now();
          (button as HTMLButtonElement).click();
          const check = () => {
            if (button.textContent === 'Resume') resolve(performance.now() - started);
            else requestAnimationFrame(check);
          };
          requestAnimationFrame(check);
        }),
    );
    await expect(pause).toHaveText('Resume');
    test.info().annotations.push({ type: 'click-to-render delay during flood', description: `${pageDelay.toFixed(0)} ms` });
    console.log(`monitor flood: Pause rendered ${pageDelay.toFixed(0)} ms after the click`);

    const roundTripStarted = Date.now();
    await page.evaluate(() => 1);
    console.log(`monitor flood: a page.evaluate round trip took ${Date.now() - roundTripStarted} ms`);

    // While paused the history keeps filling, but the shown rows stay as they were.
    const frozen = await page.getByTestId('monitor-shown').textContent();
    const sizeAtPause = await page.getByTestId('monitor-size').textContent();
    const droppedAtPause = await page.getByTestId('monitor-dropped').textContent();
    await expect
      .poll(async () => [await page.getByTestId('monitor-size').textContent(), await page.getByTestId('monitor-dropped').textContent()])
      .not.toEqual([sizeAtPause, droppedAtPause]);
    await expect(page.getByTestId('monitor-shown')).toHaveText(frozen!);
    await snapshot(page, 'flood-paused');

    await pause.click();
    await expect(pause).toHaveText('Pause');
  } finally {
    const exitCode = await Promise.race([senderExited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), FLOOD_SECONDS * 4000))]);
    if (exitCode === 'timeout') sender.kill('SIGKILL');
    pull.close();
    await drained;
  }

  console.log(`monitor flood: ${senderOutput.trim()}`);
  expect(senderOutput).toMatch(/^sent \d+ messages/);
  await expect(page.getByTestId('monitor-size')).not.toHaveText('0');
  await stopPipeline(page);
});
