/**
 * What each caller sees of a saga. A service (IAM) caller gets the full view: the parked
 * reason and message, operator names and reasons, the payment. A runner gets the runner
 * view: their order's state and a neutral "being checked" while an operator looks at it,
 * nothing about the operators, their notes or the customer's payment. The runner view is
 * built from an allow-list, so a field added to the saga later stays internal until it is
 * added here (and to docs/openapi.yaml's RunnerCompletion).
 */
import { FailureType } from '../../common/workflow-safe/failure-types';
import type { CompleteOrderResult, SagaProgress } from '../../common/workflow-safe/saga-contract';
import type { Caller } from '../auth';

/** What a runner reads while an operator checks their saga, whatever the reason. */
export const RUNNER_CHECKING = 'Your payout is being checked by our team.';

/** The completion reply as the handler builds it (the full view, before any redaction). */
export interface CompletionReply {
  order_id: string;
  workflow_id: string;
  run_id: string;
  status: string;
  progress?: SagaProgress | null;
  needs_operator?: boolean;
  parked?: unknown;
  result?: CompleteOrderResult;
  failure?: { type: string; message: string };
}

/** Failure messages carry service replies and ids: a runner reads one of these instead. */
const RUNNER_FAILURE_MESSAGES: Partial<Record<string, string>> = {
  [FailureType.ConnectAccountMissing]:
    'Your Stripe Connect account is not set up yet: finish onboarding, then confirm the delivery again.',
  [FailureType.RunnerMismatch]: 'This order is assigned to another runner.',
  [FailureType.OrderNotFound]: 'The order could not be found.',
  [FailureType.OrderNotCompletable]: 'The order was changed or cancelled before the payout.',
  [FailureType.OrderChanged]: 'The order was changed or cancelled before the payout.',
};
const RUNNER_FAILURE_DEFAULT = 'The order could not be completed; our team has the details.';

function runnerProgress(progress: SagaProgress) {
  return {
    status: progress.status,
    currentStep: progress.currentStep,
    stepsDone: progress.stepsDone,
    compensationsRun: progress.compensationsRun,
    waitingFor: progress.waitingFor,
    failureType: progress.failureType,
    ...(progress.cancelRequested === undefined
      ? {}
      : { cancelRequested: progress.cancelRequested }),
  };
}

function runnerResult(result: CompleteOrderResult) {
  return {
    orderId: result.orderId,
    runnerId: result.runnerId,
    outcome: result.outcome,
    orderStatus: result.orderStatus,
    // The runner's own payout, as their Stripe dashboard shows it; not the customer's payment.
    transferId: result.transferId,
    ...(result.cancelRequested === undefined ? {} : { cancelRequested: result.cancelRequested }),
  };
}

/** The reply `caller` may read: the full view for a service, the runner view for a runner. */
export function completionFor(caller: Caller, reply: CompletionReply) {
  if (caller.kind === 'service') return { view: 'full' as const, ...reply };
  const { progress, needs_operator, result, failure } = reply;
  return {
    view: 'runner' as const,
    order_id: reply.order_id,
    workflow_id: reply.workflow_id,
    run_id: reply.run_id,
    status: reply.status,
    ...(progress === undefined ? {} : { progress: progress && runnerProgress(progress) }),
    ...(needs_operator === undefined ? {} : { needs_operator }),
    ...(needs_operator ? { checking: RUNNER_CHECKING } : {}),
    ...(result ? { result: runnerResult(result) } : {}),
    ...(failure
      ? {
          failure: {
            type: failure.type,
            message: RUNNER_FAILURE_MESSAGES[failure.type] ?? RUNNER_FAILURE_DEFAULT,
          },
        }
      : {}),
  };
}
