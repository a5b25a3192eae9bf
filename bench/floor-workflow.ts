/**
 * The CPU floor of a completed saga (issue 12): the same shape, doing nothing. A happy-path
 * CompleteOrderWorkflow runs 10 activities (readOrder, transitionOrder, getConnectAccount,
 * getPayment, readOrder, claimRelease, sendRelease, getPayment, transitionOrder,
 * getPayment: test/histories/completed.json), its 6th activity starts a second workflow
 * (the release claim, worker/workflows/claim.ts, no activities of its own) through the
 * activity's client, and the saga ends by signalling that workflow, which then completes.
 * So: 2 workflows, 10 activities, 1 client start from an activity, 1 external signal,
 * 12 + 2 workflow tasks. What this costs the worker is the SDK's own share.
 */
import {
  condition,
  defineSignal,
  getExternalWorkflowHandle,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';

/** Activities of a happy-path saga, and which one starts the second workflow (0-based). */
export const FLOOR_SHAPE = { activities: 10, claimAt: 5, workflows: 2 } as const;

export const floorSettled = defineSignal('settled');

export const floorClaimId = (sagaId: string) => `floor-claim-${sagaId}`;

export interface FloorActivities {
  noop(step: number): Promise<void>;
  startClaim(sagaId: string): Promise<void>;
}

const { noop, startClaim } = proxyActivities<FloorActivities>({ startToCloseTimeout: '30s' });

export async function FloorSagaWorkflow(): Promise<void> {
  const { workflowId } = workflowInfo();
  for (let step = 0; step < FLOOR_SHAPE.activities; step++) {
    if (step === FLOOR_SHAPE.claimAt) await startClaim(workflowId);
    else await noop(step);
  }
  await getExternalWorkflowHandle(floorClaimId(workflowId)).signal(floorSettled);
}

export async function FloorClaimWorkflow(): Promise<void> {
  let settled = false;
  setHandler(floorSettled, () => {
    settled = true;
  });
  await condition(() => settled);
}
