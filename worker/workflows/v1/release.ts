/**
 * The pivot: release the money to the runner, then confirm it settled. The release request
 * reaches the Payment Service at most once per saga unless a previous request provably
 * was not queued (ADR 0002): the service is not idempotent and transfers again if asked
 * again.
 */
import { log, sleep } from '@temporalio/workflow';
import { type PaymentSnapshot, PaymentStatus } from '../../../common/workflow-safe/contracts';
import { FailureType } from '../../../common/workflow-safe/failure-types';
import { failureTypeOf, sagaFailure } from '../failures';
import { pollWithBackoff } from '../wait';
import type { SagaActivityProxies } from './retry-stances';
import type { Saga } from './saga';
import type { SagaSettingsV1 as SagaSettings } from './settings';

export interface PivotContext {
  acts: SagaActivityProxies;
  saga: Saga;
  settings: SagaSettings;
  orderId: string;
  runnerId: string;
  connectAccountId: string;
  payment: PaymentSnapshot;
}

/** True when the payment already went to this runner (a transfer exists). */
export function isReleasedTo(payment: PaymentSnapshot, runnerId: string): boolean {
  return (
    payment.status === PaymentStatus.SUCCEEDED &&
    payment.transferId !== null &&
    payment.runnerId === runnerId
  );
}

/** Sends the release; returns once it was (or may have been) queued. */
async function sendRelease(ctx: PivotContext): Promise<void> {
  const { paymentId } = ctx.payment;
  const request = { paymentId, runnerId: ctx.runnerId, connectAccountId: ctx.connectAccountId };
  for (let attempt = 1; ; attempt++) {
    try {
      await ctx.acts.release.requestRelease(request);
      return;
    } catch (error) {
      const type = failureTypeOf(error);
      if (type !== FailureType.ReleaseNotQueued && type !== FailureType.ReleaseRejected) {
        log.warn('release outcome unknown: confirming, never re-sending', { paymentId, type });
        return;
      }
      if (type === FailureType.ReleaseRejected || attempt >= ctx.settings.releaseAttempts)
        throw error;
      await sleep(Math.min(1000 * 2 ** (attempt - 1), 30_000));
      const latest = await ctx.acts.retryBriefly.getPayment(ctx.orderId);
      if (latest.status !== PaymentStatus.AUTHORIZED) return;
    }
  }
}

/** Reads the payment until it leaves AUTHORIZED (202 only meant "queued"). */
async function confirmSettlement(ctx: PivotContext): Promise<PaymentSnapshot> {
  ctx.saga.waitingFor('payment settlement');
  const settled = await pollWithBackoff(
    async () => {
      const payment = await ctx.acts.retryBriefly.getPayment(ctx.orderId).catch(() => undefined);
      return payment?.status === PaymentStatus.AUTHORIZED ? undefined : payment;
    },
    { windowMs: ctx.settings.settlementWaitMs, initialIntervalMs: 500, maxIntervalMs: 5 * 60_000 },
  );
  if (!settled) {
    throw sagaFailure(FailureType.ReleaseFailed, 'release was not confirmed within the window');
  }
  if (settled.status === PaymentStatus.SUCCEEDED) return settled;
  throw sagaFailure(FailureType.ReleaseFailed, `payment settled as ${settled.status}`, {
    paymentId: settled.paymentId,
    status: settled.status,
  });
}

/**
 * Releases the funds and returns the SUCCEEDED payment, or throws when the release failed
 * for good. Before giving up it reads the payment once more: money that reached the runner
 * late is a success to carry forward, never something to revert.
 */
export async function releaseFunds(ctx: PivotContext): Promise<PaymentSnapshot> {
  if (isReleasedTo(ctx.payment, ctx.runnerId)) return ctx.payment;
  try {
    await sendRelease(ctx);
    return await confirmSettlement(ctx);
  } catch (error) {
    const latest = await ctx.acts.afterPivot.getPayment(ctx.orderId);
    if (latest.status === PaymentStatus.SUCCEEDED) return latest;
    throw error;
  }
}
