import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { completeOrderStart } from '../common/start';
import {
  countParked,
  parkedMetricData,
  readBacklog,
  toMetricData,
} from '../functions/backlog/handler';
import { credentialsFrom } from '../functions/temporal/secret';
import { FAST_SETTINGS, parkedProgress, useHarness } from './support/harness';

/** The backlog publisher reads real task queue statistics from a real server. */
describe('Function: readBacklog', () => {
  let connection: Connection;
  let client: Client;
  beforeAll(async () => {
    connection = await Connection.connect({ address: inject('temporalAddress') });
    client = new Client({ connection, namespace: inject('temporalNamespace') });
  });
  afterAll(async () => {
    await connection?.close();
  });

  it('reports workflow tasks waiting on a queue that no worker polls', async () => {
    const taskQueue = `unpolled-${randomUUID()}`;
    for (const _ of [1, 2, 3]) {
      const { workflowType, options } = completeOrderStart(
        { orderId: randomUUID(), runnerId: 'user_backlog' },
        taskQueue,
      );
      await client.workflow.start(workflowType, options);
    }
    let samples = await readBacklog(client, inject('temporalNamespace'), taskQueue);
    // Statistics are approximate and refreshed by the server: read until they include ours.
    while ((samples.find((s) => s.queueType === 'workflow')?.count ?? 0) < 3) {
      await delay(100);
      samples = await readBacklog(client, inject('temporalNamespace'), taskQueue);
    }
    expect(samples.find((s) => s.queueType === 'workflow')?.count).toBe(3);
    expect(samples.find((s) => s.queueType === 'activity')?.count).toBe(0);
    expect(samples.map((s) => s.pollers)).toEqual([0, 0]);
  });

  it('turns samples into CloudWatch metric data with the task queue and queue type', () => {
    const at = new Date('2026-11-25T00:00:00Z');
    const data = toMetricData(
      [{ queueType: 'activity', count: 7, ageSeconds: 42.5, pollers: 2 }],
      'complete-order-queue',
      at,
    );
    expect(data).toEqual([
      expect.objectContaining({
        MetricName: 'ApproximateBacklogCount',
        Value: 7,
        Unit: 'Count',
        Timestamp: at,
      }),
      expect.objectContaining({
        MetricName: 'ApproximateBacklogAge',
        Value: 42.5,
        Unit: 'Seconds',
      }),
      expect.objectContaining({ MetricName: 'PollerCount', Value: 2, Unit: 'Count' }),
    ]);
    expect(data[0]?.Dimensions).toEqual([
      { Name: 'TaskQueue', Value: 'complete-order-queue' },
      { Name: 'QueueType', Value: 'activity' },
    ]);
  });
});

describe('Function: readBacklog, with a worker polling', () => {
  const h = useHarness();

  it('counts the pollers of both the workflow and the activity task queue', async () => {
    // The server lists a poller once its first poll arrived: wait for the worker's.
    await expect
      .poll(
        async () =>
          (await readBacklog(h.client, inject('temporalNamespace'), h.taskQueue)).map((s) => [
            s.queueType,
            s.pollers > 0,
          ]),
        { timeout: 30_000, interval: 200 },
      )
      .toEqual([
        ['workflow', true],
        ['activity', true],
      ]);
  });
});

describe('Function: countParked', () => {
  const h = useHarness();

  it('counts the sagas of the task queue that wait for an operator, for the ParkedSagas alarm', async () => {
    expect(await countParked(h.client, h.taskQueue)).toBe(0);
    h.sandbox.state.holdQueue = true;
    const { handle } = await h.seedAndStart({}, { ...FAST_SETTINGS, settlementWaitMs: 1_000 });
    await parkedProgress(handle);
    // Visibility is eventually consistent: read until it shows the park.
    await expect
      .poll(() => countParked(h.client, h.taskQueue), { timeout: 30_000, interval: 200 })
      .toBe(1);
    const at = new Date('2026-11-25T00:00:00Z');
    expect(parkedMetricData(1, h.taskQueue, at)).toEqual({
      MetricName: 'ParkedSagas',
      Dimensions: [{ Name: 'TaskQueue', Value: h.taskQueue }],
      Timestamp: at,
      Value: 1,
      Unit: 'Count',
    });
    await handle.terminate('test done');
  });
});

describe('Function: credentialsFrom', () => {
  it('turns an API key secret into an API key (which turns TLS on in the SDK)', () => {
    expect(credentialsFrom('apiKey', ' key-123\n')).toEqual({ apiKey: 'key-123' });
  });

  it('turns an mTLS secret into a client certificate pair', () => {
    const options = credentialsFrom('mtls', JSON.stringify({ cert: 'CERT', key: 'KEY' }));
    expect(options.tls).toEqual({
      clientCertPair: { crt: Buffer.from('CERT'), key: Buffer.from('KEY') },
    });
  });

  it('names what is wrong with a malformed mTLS secret', () => {
    expect(() => credentialsFrom('mtls', 'not json')).toThrow('{"cert": PEM, "key": PEM}');
    expect(() => credentialsFrom('mtls', '{"cert": "x"}')).toThrow('"cert" and "key"');
  });
});
