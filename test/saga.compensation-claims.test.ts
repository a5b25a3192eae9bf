import type { WorkflowHandle } from '@temporalio/client';
import { afterEach, describe, expect, it } from 'vitest';
import type {
  CompleteOrderInput,
  CompleteOrderResult,
  SagaProgress,
} from '../common/workflow-safe/saga-contract';
import { startGate } from './support/gate';
import { type GatedWorker, HELD_SETTINGS, startGatedWorker } from './support/gated-worker';
import { FAST_SETTINGS, progressWhen, useHarness } from './support/harness';
import { resetAround } from './support/reset';

/**
 * A compensation never reverts a payment whose release an earlier run may have queued,
 * whatever stopped this run before its pivot (issue 17, defect 1): it asks the payment's
 * claim who holds it, and confirms that run's release instead (or parks). The sandbox
 * holds the earlier run's release, so the payment stays AUTHORIZED meanwhile, as a slow
 * settlement would.
 */
describe('CompleteOrderWorkflow: compensation and an earlier run’s claim', () => {
  const h = useHarness({ httpTimeoutMs: 1_000 });
  let gated: GatedWorker | undefined;
  afterEach(async () => {
    await gated?.close();
    gated = undefined;
  });

  /** Run 1 queues a release that stays held, and is terminated while it settles. */
  async function terminatedAfterQueueing() {
    const { state } = h.sandbox;
    state.holdQueue = true;
    const seeded = state.seedOrder();
    const queued = state.nextEntry('release-request', seeded.orderId);
    const input = { orderId: seeded.orderId, runnerId: seeded.runnerId, settings: HELD_SETTINGS };
    const first = await h.start(input);
    await queued;
    await first.terminate('operator terminated a slow saga');
    return { seeded, input };
  }

  /**
   * Starts run 2 on a worker behind gates: its payment read is held, and once it arrived,
   * so is the next order read (checkBeforeRelease). Returns once that read is held.
   */
  async function secondRunHeldBeforeRelease(input: CompleteOrderInput) {
    const statusPath = `/payment/${input.orderId}/status`;
    const orderPath = `/getOrderDetails?orderId=${input.orderId}`;
    let paymentRead = false;
    const paymentGate = await startGate(h.sandbox.urls.payment, (path) => path === statusPath);
    const orderGate = await startGate(
      h.sandbox.urls.order,
      (path) => paymentRead && path === orderPath,
    );
    gated = await startGatedWorker(h, { order: orderGate, payment: paymentGate });
    const second = await gated.start(input);
    await paymentGate.holding;
    paymentRead = true;
    paymentGate.open();
    await orderGate.holding;
    await progressWhen(second, (p) => p.currentStep === 'checkBeforeRelease');
    return { second, orderGate };
  }

  /** The compensation has decided: confirming a release, or reverting. */
  const compensationDecided = (handle: WorkflowHandle) =>
    progressWhen(
      handle,
      (p) =>
        p.status === 'NEEDS_OPERATOR' ||
        p.waitingFor === 'payment settlement' ||
        p.waitingFor === 'payment revert',
    );

  /** The earlier run's release settles: one transfer, no revert, the order COMPLETED. */
  async function expectPaidOnceNeverReverted(orderId: string, handle: WorkflowHandle) {
    const { state } = h.sandbox;
    expect(state.heldCount).toBe(1);
    state.holdQueue = false;
    state.settleHeld();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(state.entries('release-request', orderId)).toHaveLength(1);
    expect(state.entries('transfer', orderId)).toHaveLength(1);
    expect(state.entries('revert-request', orderId)).toHaveLength(0);
    expect(state.orders.get(orderId)?.orderStatus).toBe('COMPLETED');
  }

  function expectConfirmingNotReverting(progress: SagaProgress, orderId: string) {
    expect(h.sandbox.state.entries('revert-request', orderId)).toHaveLength(0);
    expect(progress.waitingFor).toBe('payment settlement');
    expect(progress.stepsDone).not.toContain('checkBeforeRelease');
  }

  it('confirms the earlier run’s release when cancelled during the re-read before the release', async () => {
    const { seeded, input } = await terminatedAfterQueueing();
    const { second, orderGate } = await secondRunHeldBeforeRelease(input);
    await second.cancel(); // an operator gives up on the slow saga
    const decided = await compensationDecided(second);
    expectConfirmingNotReverting(decided, seeded.orderId);
    orderGate.open();
    await expectPaidOnceNeverReverted(seeded.orderId, second);
  });

  it('confirms the earlier run’s release when the re-read before the release answers 404', async () => {
    const { seeded, input } = await terminatedAfterQueueing();
    const paymentGate = await startGate(
      h.sandbox.urls.payment,
      (path) => path === `/payment/${input.orderId}/status`,
    );
    gated = await startGatedWorker(h, { payment: paymentGate });
    const second = await gated.start(input);
    await paymentGate.holding;
    // The next order read is checkBeforeRelease's: it alone answers 404.
    const notFound = h.sandbox.faults.inject({
      route: 'getOrderDetails',
      key: input.orderId,
      status: 404,
    });
    paymentGate.open();
    const decided = await compensationDecided(second);
    expect(notFound.hits).toBe(1);
    expectConfirmingNotReverting(decided, seeded.orderId);
    await expectPaidOnceNeverReverted(seeded.orderId, second);
  });

  it('confirms the earlier run’s release when a run reset after its claim compensates', async () => {
    // The reset run replays "claim granted", but the claim names the run it was reset from,
    // whose release is queued: its own release attempt is refused before anything is sent.
    const { state, faults } = h.sandbox;
    state.holdQueue = true;
    const seeded = state.seedOrder();
    const queued = state.nextEntry('release-request', seeded.orderId);
    // A long re-send interval: the reset run waits for the cancel there, not in a re-read.
    const settings = { ...FAST_SETTINGS, releaseRetryIntervalMs: 60_000 };
    const first = await h.start({ ...seeded, settings });
    await queued;
    await progressWhen(first, (p) => p.waitingFor === 'payment settlement');
    // The reset run's release attempt cannot read the order: not queued, it waits to re-send.
    const outage = faults.inject({
      route: 'getOrderDetails',
      key: seeded.orderId,
      status: 503,
      times: Number.POSITIVE_INFINITY,
    });
    const reset = await resetAround(h.client, first, 'claimRelease', 'after');
    await progressWhen(
      reset,
      (p) => p.waitingFor?.startsWith('payment service to accept') === true,
    );
    await reset.cancel();
    const decided = await compensationDecided(reset);
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
    expect(decided.waitingFor).toBe('payment settlement');
    outage.remove();
    await expectPaidOnceNeverReverted(seeded.orderId, reset);
  });
});
