/**
 * Running devices from the UI, with a test peer (zeromq in this process)
 * sending real traffic on loopback.
 *
 *   Push peer --> tcp 44101 --> [pipeline: PULL in | PUSH out] --> tcp 44102 --> Pull peer
 */
import { Pull, Push } from 'zeromq';
import type { Topology } from '../../app/core/topology.js';
import { expect, isProcessAlive, test } from './fixtures.js';

function streamer(id: string, inPort: number, outPort: number): Topology['devices'][number] {
  return {
    id,
    kind: 'streamer',
    in: { type: 'PULL', bind: [`tcp://127.0.0.1:${inPort}`] },
    out: { type: 'PUSH', bind: [`tcp://127.0.0.1:${outPort}`] },
  };
}

test('example opens with stopped devices', async ({ app }) => {
  await app.openExample(0);

  await expect(app.page.getByTestId('topology-name')).toHaveText('task-broker');
  await app.expectState('broker', 'stopped');
  await expect(app.device('broker').getByTestId('start')).toBeEnabled();
  await app.screenshot('example-opened');
});

test('device runs, counts traffic and stops', async ({ app }) => {
  const messageCount = 50;
  await app.importTopology({ version: 1, name: 'e2e-pipeline', devices: [streamer('pipeline', 44101, 44102)] });
  await app.expectState('pipeline', 'stopped');

  await app.start('pipeline');
  await app.expectState('pipeline', 'running');
  await expect(app.device('pipeline').getByTestId('state-detail')).toContainText('tcp://127.0.0.1:44101');

  const producer = new Push({ linger: 0 });
  const consumer = new Pull({ linger: 0, receiveTimeout: 10_000 });
  try {
    producer.connect('tcp://127.0.0.1:44101');
    consumer.connect('tcp://127.0.0.1:44102');
    for (let index = 0; index < messageCount; index++) await producer.send(`job ${index}`);
    for (let index = 0; index < messageCount; index++) {
      const [frame] = await consumer.receive();
      expect(String(frame)).toBe(`job ${index}`);
    }
  } finally {
    producer.close();
    consumer.close();
  }

  await expect.poll(() => app.counter('pipeline', 'messages-in'), { message: 'messages in' }).toBe(messageCount);
  await expect.poll(() => app.counter('pipeline', 'messages-out'), { message: 'messages out' }).toBe(messageCount);
  await app.screenshot('pipeline-running');

  const [pid] = app.workerPids;
  expect(pid, 'worker pid shown while running').toBeGreaterThan(0);
  await app.stop('pipeline');
  await app.expectState('pipeline', 'stopped');
  await expect.poll(() => isProcessAlive(pid ?? 0), { message: `worker pid ${pid} alive after stop` }).toBe(false);
});

test('taken port fails one device only', async ({ app }) => {
  const squatter = new Pull({ linger: 0 });
  await squatter.bind('tcp://127.0.0.1:44111');
  try {
    await app.importTopology({
      version: 1,
      name: 'e2e-port-taken',
      devices: [streamer('blocked', 44111, 44112), streamer('healthy', 44113, 44114)],
    });

    await app.page.getByTestId('start-all').click();

    await app.expectState('blocked', 'failed');
    await expect(app.device('blocked').getByTestId('state-detail')).toContainText('tcp://127.0.0.1:44111');
    await app.expectState('healthy', 'running');
    await expect(app.page.getByTestId('state-summary')).toHaveText('1 running, 1 failed');
    await app.screenshot('port-taken');

    await app.page.getByTestId('stop-all').click();
    await app.expectState('healthy', 'stopped');
  } finally {
    squatter.close();
  }
});

test('replace asks before stopping devices', async ({ app }) => {
  await app.importTopology({ version: 1, name: 'e2e-replace', devices: [streamer('pipe', 44121, 44122)] });
  await app.showDeviceList();
  await app.start('pipe');
  await app.expectState('pipe', 'running');

  await app.page.getByTestId('file-new').click();
  const dialog = app.page.getByTestId('confirm-dialog');
  await expect(dialog).toContainText('Replacing the document stops 1 running device: pipe. Continue?');
  await app.page.getByTestId('confirm-cancel').click();
  await expect(app.page.getByTestId('topology-name')).toHaveText('e2e-replace');
  await app.expectState('pipe', 'running');

  await app.page.getByTestId('file-new').click();
  await app.page.getByTestId('confirm-ok').click();
  await expect(app.page.getByTestId('topology-name')).toHaveText('untitled');
});
