import type { ReleaseClaim } from '../activities/claim-activities';

/**
 * A payment's release claim (ADR 0002). It does nothing: its existence under the id
 * `release-claim-<paymentId>` is the record, and its input names the saga run holding it.
 */
export async function ReleaseClaimWorkflow(claim: ReleaseClaim): Promise<ReleaseClaim> {
  return claim;
}
