import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';

/** gRPC NOT_FOUND (5): fetching history raises it as a plain ServiceError, not WorkflowNotFoundError. */
const GRPC_NOT_FOUND = 5;

function isNotFound(error: unknown): boolean {
  if (error instanceof WorkflowNotFoundError) return true;
  return (error as { code?: unknown } | null)?.code === GRPC_NOT_FOUND;
}

import { defaultPayloadConverter } from '@temporalio/common';
import { RELEASE_CLAIM_WORKFLOW_TYPE, releaseClaimIdFor } from '../../common/workflow-safe/names';

/** Who holds a payment's release claim. */
export interface ReleaseClaim {
  paymentId: string;
  workflowId: string;
  runId: string;
}

/** A claim as its holder recorded it, and whether that holder is the run that asked. */
export interface HeldClaim extends ReleaseClaim {
  mine: boolean;
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
      const holder = await claimHolder(paymentId);
      if (!holder) throw new Error(`release claim ${claimId} vanished while being read`);
      return { granted: isMine(holder), holder };
    },
    /**
     * Who holds the payment's claim, and whether it is the run asking (decided here, so
     * the answer is in the history: replay and a run reset past this point see the same
     * one); null when no run ever claimed it.
     */
    async releaseClaimHolder(paymentId: string): Promise<HeldClaim | null> {
      const holder = await claimHolder(paymentId);
      return holder && { ...holder, mine: isMine(holder) };
    },
  };
}

/** True when `holder` is the run this activity works for (a reset run is another run). */
export function isMine(holder: ReleaseClaim): boolean {
  const execution = Context.current().info.workflowExecution;
  return holder.workflowId === execution?.workflowId && holder.runId === execution.runId;
}

/** The claim's recorded holder (the claim workflow's input), or null when there is none. */
export async function claimHolder(paymentId: string): Promise<ReleaseClaim | null> {
  const claimId = releaseClaimIdFor(paymentId);
  const { client } = Context.current();
  const handle = client.workflow.getHandle(claimId);
  let history: Awaited<ReturnType<typeof handle.fetchHistory>>;
  try {
    history = await handle.fetchHistory();
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
  const payload =
    history.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  if (!payload) throw new Error(`release claim ${claimId} has no recorded holder`);
  return defaultPayloadConverter.fromPayload<ReleaseClaim>(payload);
}
