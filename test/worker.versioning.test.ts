import { randomUUID } from 'node:crypto';
import type { WorkflowHandle } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import {
  assertNothingStranded,
  deploymentState,
  promoteVersion,
  promoteWhenPolling,
  type VersionTarget,
} from '../functions/versions/versions';
import type { SeededOrder } from '../sandbox';
import { spawnWorker, type WorkerProcess, waitHealthy } from '../sandbox/worker-process';
import { type Gate, startGate } from './support/gate';
import { FAST_SETTINGS, type Harness, startHarness } from './support/harness';

/** Long enough that a held request is still the same attempt when the gate opens. */
const HELD_SETTINGS = { ...FAST_SETTINGS, activityTimeoutMs: 60_000 };
const PAYMENT_STATUS = /^\/payment\/[^/]+\/status$/;

/**
 * Worker Versioning on the dev server, as a deploy and a rollback run it (ADR 0012): two
 * worker processes of one Worker Deployment, each reaching the Payment Service through a
 * gate that can hold a saga mid-flight. Pinned sagas finish on the version that started
 * them, new ones start on the current version, and the deploy's guard refuses to drop a
 * version that still has work.
 */
describe('Worker Versioning: pinned sagas across a deploy and a rollback', () => {
  const deploymentName = `versioning-${randomUUID().slice(0, 8)}`;
  const workers: WorkerProcess[] = [];
  const gates: Gate[] = [];
  let h: Harness;
  let v1: VersionTarget;
  let v2: VersionTarget;
  let gateV1: Gate;
  let gateV2: Gate;
  let waitingOnV1: WorkflowHandle;
  let waitingOnV2: WorkflowHandle;
  let later: SeededOrder;

  beforeAll(async () => {
    h = await startHarness({ noWorker: true });
    const namespace = inject('temporalNamespace');
    v1 = { namespace, deploymentName, buildId: 'v1' };
    v2 = { namespace, deploymentName, buildId: 'v2' };
  });
  afterAll(async () => {
    for (const w of workers) w.child.kill('SIGKILL');
    await Promise.all(workers.map((w) => w.exited));
    for (const g of gates) await g.close();
    await h?.close();
  });

  async function startVersion(buildId: string, payment: Gate): Promise<void> {
    const worker = spawnWorker({
      TEMPORAL_ADDRESS: inject('temporalAddress'),
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      TEMPORAL_TASK_QUEUE: h.taskQueue,
      TEMPORAL_WORKER_DEPLOYMENT_NAME: deploymentName,
      TEMPORAL_WORKER_BUILD_ID: buildId,
      ORDER_SERVICE_URL: h.sandbox.urls.order,
      USER_SERVICE_URL: h.sandbox.urls.user,
      PAYMENT_SERVICE_URL: payment.url,
      HTTP_TIMEOUT_MS: '55000',
      SAGA_ACTIVITY_TIMEOUT_MS: String(HELD_SETTINGS.activityTimeoutMs),
    });
    workers.push(worker);
    await waitHealthy(await worker.started);
  }

  async function gate(hold: RegExp): Promise<Gate> {
    const created = await startGate(h.sandbox.urls.payment, hold);
    gates.push(created);
    return created;
  }

  /** The version a saga is pinned to, and the versions that completed its workflow tasks. */
  async function versionsOf(handle: WorkflowHandle): Promise<{ pinned?: string; ran: string[] }> {
    const { raw } = await handle.describe();
    const history = await handle.fetchHistory();
    const ran = (history.events ?? []).flatMap(
      (e) => e.workflowTaskCompletedEventAttributes?.deploymentVersion?.buildId ?? [],
    );
    const pinned = raw.workflowExecutionInfo?.versioningInfo?.deploymentVersion?.buildId;
    return { pinned: pinned ?? undefined, ran: [...new Set(ran)] };
  }

  /** Promotes as the deploy does: once the version's new workers show as pollers. */
  const promote = (target: VersionTarget) =>
    promoteWhenPolling(h.client, target, h.taskQueue, { waitMs: 30_000, retryMs: 100 });

  const complete = async (handle: WorkflowHandle) =>
    ((await handle.result()) as CompleteOrderResult).outcome;

  it('keeps a waiting saga on version 1 while version 2, once promoted, takes new sagas', async () => {
    gateV1 = await gate(PAYMENT_STATUS);
    await startVersion('v1', gateV1);
    expect(await promote(v1)).toBeUndefined();
    waitingOnV1 = (await h.seedAndStart({}, HELD_SETTINGS)).handle;
    await gateV1.holding;

    // Deploying v2 must keep v1's workers: it is current, and it has a saga.
    await expect(assertNothingStranded(h.client, v2, [])).rejects.toThrow(
      'worker version v1 is the current version',
    );
    await expect(assertNothingStranded(h.client, v2, ['v1'])).resolves.toBeUndefined();
    later = h.sandbox.state.seedOrder();
    gateV2 = await gate(new RegExp(`^/payment/${later.orderId}/status$`));
    await startVersion('v2', gateV2);
    expect(await promote(v2)).toBe('v1');

    const { handle: onV2 } = await h.seedAndStart();
    expect(await complete(onV2)).toBe('COMPLETED');
    expect(await versionsOf(onV2)).toEqual({ pinned: 'v2', ran: ['v2'] });
    expect((await waitingOnV1.describe()).status.name).toBe('RUNNING');

    gateV1.open();
    expect(await complete(waitingOnV1)).toBe('COMPLETED');
    expect(await versionsOf(waitingOnV1)).toEqual({ pinned: 'v1', ran: ['v1'] });
  });

  it('rolls back to version 1 without stranding the saga waiting on version 2', async () => {
    // Builds on the deploy above; without it this would wait on a saga that cannot start.
    expect((await deploymentState(h.client, v2.namespace, deploymentName)).current).toBe('v2');
    const { orderId, runnerId } = later;
    waitingOnV2 = await h.start({ orderId, runnerId, settings: HELD_SETTINGS });
    await gateV2.holding;

    // Rolling back is deploying v1 again: v2 is current and has a saga, so it is kept.
    await expect(assertNothingStranded(h.client, v1, [])).rejects.toThrow(
      'worker version v2 is the current version',
    );
    await expect(assertNothingStranded(h.client, v1, ['v2'])).resolves.toBeUndefined();
    expect(await promote(v1)).toBe('v2');
    expect((await deploymentState(h.client, v1.namespace, deploymentName)).current).toBe('v1');

    const { handle: afterRollback } = await h.seedAndStart();
    expect(await complete(afterRollback)).toBe('COMPLETED');
    expect(await versionsOf(afterRollback)).toEqual({ pinned: 'v1', ran: ['v1'] });

    gateV2.open();
    expect(await complete(waitingOnV2)).toBe('COMPLETED');
    expect(await versionsOf(waitingOnV2)).toEqual({ pinned: 'v2', ran: ['v2'] });
  });

  it('lets a drained version go, and refuses to promote a version without workers', async () => {
    await expect(assertNothingStranded(h.client, v1, [])).resolves.toBeUndefined();
    const ghost = { ...v1, buildId: 'never-deployed' };
    await expect(promoteVersion(h.client, ghost, h.taskQueue)).rejects.toThrow(
      'worker version never-deployed has no live poller',
    );
  });
});
