import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import { spawnWorker, type WorkerProcess, waitHealthy } from '../sandbox/worker-process';
import {
  FAST_SETTINGS,
  type Harness,
  parkedProgress,
  startHarness,
  workerEnv,
} from './support/harness';

/**
 * The worker process is killed mid-saga and replaced. Whatever the moment, the saga ends
 * and the Payment Service saw one release and made one transfer per order.
 */
describe('Worker process: killed and restarted mid-saga', () => {
  let h: Harness;
  const workers: WorkerProcess[] = [];

  beforeAll(async () => {
    h = await startHarness({ noWorker: true });
  });
  afterEach(() => {
    h.sandbox.faults.clear();
    for (const w of workers.splice(0)) w.child.kill('SIGKILL');
  });
  afterAll(async () => {
    await h?.close();
  });

  async function startWorker(): Promise<WorkerProcess> {
    const worker = spawnWorker(
      workerEnv(h, {
        HTTP_TIMEOUT_MS: '2000',
        SHUTDOWN_GRACE_MS: '5000',
      }),
    );
    workers.push(worker);
    await waitHealthy(await worker.started);
    return worker;
  }

  async function kill(worker: WorkerProcess): Promise<void> {
    worker.child.kill('SIGKILL');
    expect((await worker.exited).signal).toBe('SIGKILL');
  }

  it('pays once when killed while the release request is in flight', async () => {
    // The service queues the release but holds its reply: the worker dies waiting for it.
    h.sandbox.faults.inject({ route: 'release', afterProcessing: true, delayMs: 60_000 });
    const first = await startWorker();
    const released = h.sandbox.state.nextEntry('release-request');
    const { seeded, handle } = await h.seedAndStart();
    await released;
    await kill(first);
    await startWorker();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(1);
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });

  it('keeps every concurrent order paid at most once when killed right after a release was accepted', async () => {
    // Sagas whose release activity had started on the killed worker but whose request may
    // not have left it are ambiguous: they are confirmed, never re-sent, and park for an
    // operator when the (here short) settlement window ends. ADR 0002.
    const settings = { ...FAST_SETTINGS, settlementWaitMs: 15_000 };
    const first = await startWorker();
    const released = h.sandbox.state.nextEntry('release-request');
    const sagas = await Promise.all([1, 2, 3, 4].map(() => h.seedAndStart({}, settings)));
    const firstReleased = await released;
    await kill(first);
    await startWorker();
    const { state } = h.sandbox;
    for (const { seeded, handle } of sagas) {
      // parkedProgress throws once the saga ended: it completed.
      const ended = await parkedProgress(handle).then(
        () => 'parked' as const,
        () => handle.result().then(() => 'completed' as const),
      );
      const transfers = state.entries('transfer', seeded.orderId).length;
      expect(state.entries('release-request', seeded.orderId).length).toBeLessThanOrEqual(1);
      expect(transfers).toBe(ended === 'completed' ? 1 : 0);
      expect(state.orders.get(seeded.orderId)?.orderStatus).toBe(
        ended === 'completed' ? 'COMPLETED' : 'DELIVERED',
      );
      expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
      if (seeded.orderId === firstReleased.orderId) expect(ended).toBe('completed');
      if (ended === 'parked') await handle.terminate('test done: parked as expected');
    }
  });

  it('finishes the saga after a kill before the release, releasing exactly once', async () => {
    const first = await startWorker();
    const delivered = h.sandbox.state.nextEntry('status-change');
    const { seeded, handle } = await h.seedAndStart();
    await delivered;
    await kill(first);
    await startWorker();
    await handle.result();
    expect(h.sandbox.state.entries('release-request', seeded.orderId)).toHaveLength(1);
    expect(h.sandbox.state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
  });

  it('drains on SIGTERM: exits 0, logs JSON, and the next worker finishes the saga', async () => {
    h.sandbox.faults.inject({ route: 'paymentStatus', delayMs: 500 });
    const first = await startWorker();
    const delivered = h.sandbox.state.nextEntry('status-change');
    const { seeded, handle } = await h.seedAndStart();
    await delivered;
    first.child.kill('SIGTERM');
    expect((await first.exited).code).toBe(0);
    expect(first.lines.length).toBeGreaterThan(0);
    for (const line of first.lines) expect(() => JSON.parse(line)).not.toThrow();
    await startWorker();
    await handle.result();
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });
});
