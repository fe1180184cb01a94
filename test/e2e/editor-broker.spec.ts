/**
 * Builds a monitored queue from an empty document in the UI and runs real
 * traffic through it:
 *
 *   client (DEALER) --> 46101 [in ROUTER | broker1 | out DEALER] 46102 <-- worker (DEALER)
 *                                        | mon PUB 46103 | --> the app's tap
 */
import { Dealer } from 'zeromq';
import { expect, setEndpoints, snapshot, test } from './editor-fixtures.js';

const IN = 'tcp://127.0.0.1:46101';
const OUT = 'tcp://127.0.0.1:46102';
const MON = 'tcp://127.0.0.1:46103';
/** Requests sent before the tap's subscription has reached the monitor PUB are lost (slow joiner), so the test sends until rows appear. */
const MAX_REQUESTS = 50;

test('monitored queue shows in and out frames', async ({ app: page }) => {
  await expect(page.getByTestId('graph-empty')).toBeVisible();
  await page.getByTestId('palette-monitored-queue').click();
  await expect(page.getByTestId('node-broker1')).toBeVisible();
  await page.getByTestId('node-broker1').click();
  await expect(page.getByTestId('inspector-broker1')).toBeVisible();

  await setEndpoints(page, 'in', 'bind', [IN]);
  await setEndpoints(page, 'out', 'bind', [OUT]);
  await setEndpoints(page, 'mon', 'bind', [MON]);

  // Each bind that no socket of the topology connects to shows as an external client peer node.
  await expect(page.getByTestId(`peer-${IN}`)).toBeVisible();
  await expect(page.getByTestId(`peer-${OUT}`)).toBeVisible();
  // Each peer is labelled with the role and socket types of the programs that pair with the device's socket.
  await expect(page.getByTestId(`peer-${IN}`).getByTestId('peer-label')).toHaveText('clients (REQ/DEALER)');
  await expect(page.getByTestId(`peer-${OUT}`).getByTestId('peer-label')).toHaveText('workers (REP/DEALER)');
  await expect(page.getByTestId(`peer-${MON}`).getByTestId('peer-label')).toHaveText('monitor subscribers (SUB)');
  await expect(page.getByTestId('problem-count')).toHaveText('0');

  await page.getByTestId('tap-broker1').check();
  await page.getByTestId('device-start').click();
  await expect(page.getByTestId('node-broker1')).toHaveAttribute('data-state', 'running');
  await snapshot(page, 'broker-running');

  const client = new Dealer({ receiveTimeout: 5000, linger: 0 });
  const worker = new Dealer({ receiveTimeout: 5000, linger: 0 });
  client.connect(IN);
  worker.connect(OUT);
  const echo = (async () => {
    for (;;) {
      let frames: Buffer[];
      try {
        frames = await worker.receive();
      } catch {
        return;
      }
      const [identity, empty, body] = frames;
      await worker.send([identity!, empty!, `world ${body!.toString().split(' ')[1]}`]);
    }
  })();

  try {
    const outRows = page.locator('[data-testid="monitor-row"][data-prefix="out"]');
    for (let i = 0; i < MAX_REQUESTS && (await outRows.count()) === 0; i++) {
      await client.send(['', `hello ${i}`]);
      const [empty, reply] = await client.receive();
      expect(empty!.length).toBe(0);
      expect(reply!.toString()).toBe(`world ${i}`);
    }
    await expect(outRows.first()).toBeVisible();

    const inRow = page.locator('[data-testid="monitor-row"][data-prefix="in"]').last();
    await expect(inRow).toContainText('3 frames');
    // The ROUTER's routing id for a peer without one is binary: a zero byte and a 32-bit number, shown in hex as the CLI does.
    await expect(inRow.getByTestId('row-text')).toHaveText(/^0x00[0-9a-f]{8}\s\|\s""\s\|\shello \d+$/);
    await expect(outRows.last().getByTestId('row-text')).toContainText(/""\s\|\sworld \d+/);

    await inRow.click();
    const frames = page.getByTestId('frame-detail').getByTestId('frame');
    await expect(frames).toHaveCount(3);
    await expect(frames.nth(1)).toHaveText('""');
    await expect(frames.nth(2)).toHaveText(/^hello \d+$/);

    await expect(page.getByTestId('counter-in-received')).not.toHaveText('0');
    await snapshot(page, 'broker-traffic');
  } finally {
    client.close();
    worker.close();
    await echo;
  }

  await page.getByTestId('device-stop').click();
  await expect(page.getByTestId('node-broker1')).toHaveAttribute('data-state', 'stopped');
});
