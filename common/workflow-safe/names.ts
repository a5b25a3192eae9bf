/**
 * Names operators already search for in the Temporal UI and logs. Changing any of these
 * orphans running sagas or breaks saved searches, so they live in one place.
 */
export const TASK_QUEUE = 'complete-order-queue';
export const WORKFLOW_TYPE = 'CompleteOrderWorkflow';
export const WORKFLOW_ID_PREFIX = 'complete-order-workflow-';

/** Query that returns the saga's {@link SagaProgress}. */
export const PROGRESS_QUERY = 'progress';

/** Custom search attributes (Keyword) that must be registered on the namespace. */
export const SEARCH_ATTRIBUTE_NAMES = {
  orderId: 'OrderId',
  runnerId: 'RunnerId',
  /** RUNNING, or NEEDS_OPERATOR while parked: the operators' saved view. */
  sagaState: 'SagaState',
} as const;

/** One claim per payment: who may send its release (ADR 0002). */
export const RELEASE_CLAIM_WORKFLOW_TYPE = 'ReleaseClaimWorkflow';
export const RELEASE_CLAIM_ID_PREFIX = 'release-claim-';

export function releaseClaimIdFor(paymentId: string): string {
  return `${RELEASE_CLAIM_ID_PREFIX}${paymentId}`;
}

/**
 * One record per operator `resend` decision and payment, taken before its release is sent
 * (a ReleaseClaimWorkflow under this id): a reset run that re-applies or replays the same
 * decision (same Update id) finds it taken and sends nothing.
 */
export const RELEASE_RESEND_ID_PREFIX = 'release-resend-';

export function releaseResendIdFor(paymentId: string, decisionId: string): string {
  return `${RELEASE_RESEND_ID_PREFIX}${paymentId}-${decisionId}`;
}

/** Header that carries the workflow id to every downstream request. */
export const CORRELATION_HEADER = 'X-Correlation-Id';

/** One saga per order: the workflow id is derived from the order id alone. */
export function workflowIdFor(orderId: string): string {
  return `${WORKFLOW_ID_PREFIX}${orderId}`;
}
