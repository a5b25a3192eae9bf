import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import { ALARMED_METRICS, DIMENSION_SETS, SdkMetric } from '../lib/sdk-metrics';
import { spawnWorker, type WorkerProcess, waitHealthy } from '../sandbox/worker-process';
import { type Harness, startHarness, workerEnv } from './support/harness';
import { type OtlpReceiver, startOtlpReceiver, Temporality } from './support/otlp-receiver';

/** What one saga and one failing workflow task produce within seconds. */
const EXPECTED = [
  ...ALARMED_METRICS,
  SdkMetric.slotsUsed,
  SdkMetric.stickyCacheHit,
  SdkMetric.workflowPollSucceeded,
  SdkMetric.pollers,
];

/**
 * The worker process with metrics export on, pushing to an OTLP receiver on loopback (the
 * ADOT sidecar's place in the task): after a saga, every metric an alarm watches arrives,
 * as deltas, labelled with the dimensions CloudWatch publishes it under.
 */
describe('Worker process: SDK metrics export', () => {
  let h: Harness;
  let receiver: OtlpReceiver;
  let worker: WorkerProcess;

  beforeAll(async () => {
    h = await startHarness({ noWorker: true });
    receiver = await startOtlpReceiver();
    worker = spawnWorker(
      workerEnv(h, {
        METRICS_OTLP_URL: receiver.url,
        METRICS_EXPORT_INTERVAL_MS: '1000',
      }),
    );
    await waitHealthy(await worker.started);
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await h?.close();
    await receiver?.close();
  });

  it('exports the alarmed metrics after a saga and a failed workflow task', async () => {
    const { handle } = await h.seedAndStart();
    expect(((await handle.result()) as CompleteOrderResult).outcome).toBe('COMPLETED');
    // A workflow type the worker does not have fails its workflow task, as non-determinism
    // after a bad deploy would: the failure counter must move.
    const broken = await h.client.workflow.start('NotAWorkflowOfThisWorker', {
      taskQueue: h.taskQueue,
      workflowId: `broken-${randomUUID()}`,
    });
    await receiver.received(EXPECTED);
    await broken.terminate('test done');

    const failed = receiver.metrics.get(SdkMetric.workflowTaskFailed);
    expect(failed?.kind).toBe('sum');
    expect(failed?.points.find((p) => p.labels.task_queue === h.taskQueue)?.value).toBeGreaterThan(
      0,
    );
  });

  it('sends deltas, which the EMF exporter writes as they are', () => {
    for (const name of EXPECTED) {
      const metric = receiver.metrics.get(name);
      if (metric?.kind !== 'gauge') expect(metric?.temporality, name).toBe(Temporality.delta);
    }
  });

  it('labels every point with each dimension CloudWatch publishes the metric under', () => {
    for (const set of DIMENSION_SETS) {
      for (const name of set.metrics.filter((m) => receiver.metrics.has(m))) {
        for (const point of receiver.metrics.get(name)?.points ?? []) {
          for (const label of set.dimensions.flat())
            expect(point.labels, name).toHaveProperty(label);
        }
      }
    }
  });
});
