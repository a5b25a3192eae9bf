import { Context } from '@temporalio/activity';
import { isGrpcServiceError, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { ApplicationFailure, defaultPayloadConverter } from '@temporalio/common';
import { FailureType } from '../../common/failures';
import { RELEASE_CLAIM_WORKFLOW_TYPE, releaseClaimIdFor } from '../../common/names';
import { failure } from '../clients/errors';

/** Who holds a payment's release claim. */
export interface ReleaseClaim {
  paymentId: string;
  workflowId: string;
  runId: string;
}

export interface ClaimResult {
  /** True when this saga run holds the claim and may send the release. */
  granted: boolean;
  /** The claim as recorded (this run's, or the earlier run's that holds it). */
  holder: ReleaseClaim;
}

/**
 * The per-payment memory that outlives a saga run (ADR 0002): before its first release
 * request a run claims the payment by starting a workflow whose id is derived from the
 * payment id, under the reuse policy REJECT_DUPLICATE. Temporal keeps workflow ids unique,
 * so exactly one run ever gets the claim; a later run (after a terminate, cancel, reset or
 * a re-trigger) finds it taken and only confirms. A retried attempt of the holder finds
 * its own claim and is granted again.
 */
export function createClaimActivities() {
  return {
    async claimRelease(paymentId: string): Promise<ClaimResult> {
      const { client, info } = Context.current();
      const execution = info.workflowExecution;
      if (!execution) throw new Error('claimRelease runs only on behalf of a saga');
      const mine: ReleaseClaim = {
        paymentId,
        workflowId: execution.workflowId,
        runId: execution.runId,
      };
      const claimId = releaseClaimIdFor(paymentId);
      try {
        await client.workflow.start(RELEASE_CLAIM_WORKFLOW_TYPE, {
          workflowId: claimId,
          taskQueue: info.taskQueue,
          args: [mine],
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          workflowIdConflictPolicy: 'FAIL',
        });
        return { granted: true, holder: mine };
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      }
      const holder = await claimHolder(claimId);
      const granted = holder.workflowId === mine.workflowId && holder.runId === mine.runId;
      return { granted, holder };
    },
  };
}

/** The claim's recorded holder: the first event's input of the claim workflow. */
async function claimHolder(claimId: string): Promise<ReleaseClaim> {
  const { client } = Context.current();
  const handle = client.workflow.getHandle(claimId);
  const history = await handle.fetchHistory();
  const payload =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`release claim ${claimId} has no recorded holder`);
  return defaultPayloadConverter.fromPayload<ReleaseClaim>(payload);
}

const GRPC_NOT_FOUND = 5;

/**
 * Checked by the release activity right before it sends: only the saga run that holds the
 * payment's claim may send. A reset run replays the claim its predecessor was granted, so
 * the workflow alone cannot tell; the activity knows which run it works for. Refused:
 * `ReleaseOutcomeUnknown` (the holder may have sent: confirm, never send). A claim that
 * cannot be read: `ReleaseNotQueued` (nothing was sent). No claim at all: a saga from
 * before the claims (v1), which sends as it always did.
 */
export async function assertReleaseClaimHolder(paymentId: string): Promise<void> {
  const execution = Context.current().info.workflowExecution;
  let holder: ReleaseClaim;
  try {
    holder = await claimHolder(releaseClaimIdFor(paymentId));
  } catch (error) {
    if (isGrpcServiceError(error) && error.code === GRPC_NOT_FOUND) return;
    const reason = error instanceof Error ? error.message : String(error);
    throw failure(FailureType.ReleaseNotQueued, `release claim unreadable, not sent: ${reason}`);
  }
  if (holder.workflowId === execution?.workflowId && holder.runId === execution.runId) return;
  throw ApplicationFailure.create({
    type: FailureType.ReleaseOutcomeUnknown,
    message: `not sent: the release claim of payment ${paymentId} is held by run ${holder.runId}, which may have sent it`,
    nonRetryable: true,
  });
}
