import { setHandler } from '@temporalio/workflow';
import {
  type OrderSnapshot,
  OrderStatus,
  type PaymentSnapshot,
  PaymentStatus,
} from '../../../common/workflow-safe/contracts';
import { FailureType } from '../../../common/workflow-safe/failure-types';
import type { CompleteOrderResult } from '../../../common/workflow-safe/saga-contract';
import { sagaFailure } from '../failures';
import { progressQuery } from '../messages';
import { pollWithBackoff } from '../wait';
import { type ParsedInput, parseInput } from './input';
import { isReleasedTo, releaseFunds } from './release';
import { activitiesByRetryStance, type SagaActivityProxies } from './retry-stances';
import { Saga } from './saga';

/** Statuses from which a runner's delivery can be completed. */
const COMPLETABLE: readonly OrderStatus[] = [OrderStatus.ON_THE_WAY, OrderStatus.DELIVERED];

/** Step 0's guards: the order must be this runner's, and in flight. */
function assertRunner(order: OrderSnapshot, runnerId: string): void {
  if (order.runnerId !== runnerId) {
    throw sagaFailure(
      FailureType.RunnerMismatch,
      `order ${order.orderId} is not assigned to this runner`,
    );
  }
}

function assertCompletable(order: OrderSnapshot): void {
  if (!COMPLETABLE.includes(order.orderStatus)) {
    throw sagaFailure(FailureType.OrderNotCompletable, `order is ${order.orderStatus}`, {
      orderStatus: order.orderStatus,
    });
  }
}

/** Step 3's guard: the payment must be AUTHORIZED, or already released to this runner. */
function assertReleasable(payment: PaymentSnapshot, runnerId: string): void {
  if (payment.status === PaymentStatus.AUTHORIZED || isReleasedTo(payment, runnerId)) return;
  throw sagaFailure(FailureType.PaymentNotReleasable, `payment is ${payment.status}`, {
    paymentId: payment.paymentId,
    status: payment.status,
  });
}

async function waitForConnectAccount(acts: SagaActivityProxies, saga: Saga, input: ParsedInput) {
  saga.waitingFor('runner Stripe Connect onboarding');
  const account = await pollWithBackoff(
    // `undefined` means "not onboarded yet: keep waiting"; the service answers null.
    async () => (await acts.retryBriefly.getConnectAccount(input.runnerId)) ?? undefined,
    {
      windowMs: input.settings.connectAccountWaitMs,
      initialIntervalMs: 60_000,
      maxIntervalMs: 3_600_000,
    },
  );
  if (account) return account;
  throw sagaFailure(FailureType.ConnectAccountMissing, 'runner has no Stripe Connect account');
}

/** Steps 1 to 4: every failure here is compensated. Returns the released payment. */
async function throughPivot(
  saga: Saga,
  acts: SagaActivityProxies,
  input: ParsedInput,
  order: OrderSnapshot,
) {
  const { orderId, runnerId } = input;
  let moneyReturned = false;
  // Registered before the step: a timed-out update may still have been applied.
  saga.addCompensation('restoreOrderStatus', async () => {
    // Once the customer's money went back, the order cannot resume: it is cancelled.
    const status = moneyReturned ? OrderStatus.CANCELLED : order.orderStatus;
    await acts.compensation.setOrderStatus(orderId, status);
  });
  await saga.step('markDelivered', () =>
    acts.retryBriefly.setOrderStatus(orderId, OrderStatus.DELIVERED),
  );
  const connectAccountId = await saga.step('getConnectAccount', () =>
    waitForConnectAccount(acts, saga, input),
  );
  const payment = await saga.step('getPayment', () => acts.retryBriefly.getPayment(orderId));
  assertReleasable(payment, runnerId);
  // Only reached when the pivot itself failed for good: nothing reached the runner.
  saga.addCompensation('revertPayment', async () => {
    await acts.compensation.revertPayment(
      payment.paymentId,
      `complete-order saga for ${orderId} failed`,
    );
    moneyReturned = true;
  });
  const pivot = {
    acts,
    saga,
    settings: input.settings,
    orderId,
    runnerId,
    connectAccountId,
    payment,
  };
  return saga.step('releaseFunds', () => releaseFunds(pivot));
}

async function runSaga(saga: Saga, input: ParsedInput): Promise<CompleteOrderResult> {
  const { orderId, runnerId } = input;
  const acts = activitiesByRetryStance(input.settings);
  const order = await saga.step('readOrder', () => acts.retryBriefly.readOrder(orderId));
  assertRunner(order, runnerId);
  if (order.orderStatus === OrderStatus.COMPLETED) {
    return {
      orderId,
      runnerId,
      outcome: 'ALREADY_COMPLETED',
      orderStatus: order.orderStatus,
      payment: null,
      transferId: null,
    };
  }
  assertCompletable(order);
  const payment = await throughPivot(saga, acts, input, order).catch((error: unknown) =>
    saga.compensateAndFail(error),
  );
  // After the pivot the money is with the runner: retried until it succeeds, never undone.
  const completed = await saga.step('markCompleted', () =>
    acts.afterPivot.setOrderStatus(orderId, OrderStatus.COMPLETED),
  );
  return {
    orderId,
    runnerId,
    outcome: 'COMPLETED',
    orderStatus: completed.orderStatus,
    payment,
    transferId: payment.transferId,
  };
}

/**
 * v1 of the saga, frozen: sagas started before the money-safety change (no patch marker in
 * their history) finish on this code. Do not change it; change ../complete-order-v2.ts.
 */
export async function completeOrderV1(rawInput: unknown): Promise<CompleteOrderResult> {
  const saga = new Saga();
  setHandler(progressQuery, () => saga.progress);
  try {
    const result = await runSaga(saga, parseInput(rawInput));
    saga.complete();
    return result;
  } catch (error) {
    throw saga.failWith(error);
  }
}
