import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { RELEASE_CLAIM_WORKFLOW_TYPE, releaseClaimIdFor } from '../../common/names';

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
