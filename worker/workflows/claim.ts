import { condition, defineSignal, setHandler } from '@temporalio/workflow';
import type { ReleaseClaim } from '../activities/claim-activities';

/** The holder saw the payment leave AUTHORIZED: no queued release can pay any more. */
export const claimSettledSignal = defineSignal('settled');

/**
 * A payment's release claim (ADR 0002). Its existence under the id
 * `release-claim-<paymentId>` is the record, and its input names the saga run holding it.
 * It stays open until the holder signals that the payment settled: a closed workflow is
 * removed after the namespace's retention, and the claim must outlive any release that
 * may still sit in the Payment Service's queue (a saga parked for weeks, then terminated).
 */
export async function ReleaseClaimWorkflow(claim: ReleaseClaim): Promise<ReleaseClaim> {
  let settled = false;
  setHandler(claimSettledSignal, () => {
    settled = true;
  });
  await condition(() => settled);
  return claim;
}
