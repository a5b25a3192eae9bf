/**
 * The operator path: why a saga parks, what an operator may decide, and how a decision is
 * checked. Shared by the workflow (its Update validator), the ops command and the API, so
 * every one of them refuses the same decisions with the same words. Pure: safe in the
 * workflow sandbox.
 */

/** Why a saga stopped and waits for a person: the software cannot know whether money moved. */
export const ParkReason = {
  /** A release may have been queued (unknown answer, or an earlier run's) and never settled. */
  ReleaseUnconfirmed: 'RELEASE_UNCONFIRMED',
  /** The Payment Service refused the revert for good (4xx). */
  RevertRejected: 'REVERT_REJECTED',
  /** A revert was queued but the payment never showed REVERTED within the window. */
  RevertUnconfirmed: 'REVERT_UNCONFIRMED',
  /** The payment shows a transfer although a revert was sent: the two raced. */
  TransferRacedRevert: 'TRANSFER_RACED_REVERT',
  /** SUCCEEDED for another runner, or SUCCEEDED without a transfer id. */
  PaymentStateUnexpected: 'PAYMENT_STATE_UNEXPECTED',
  /** The runner was paid, but the order was changed by someone else before COMPLETED. */
  OrderChangedAfterPayout: 'ORDER_CHANGED_AFTER_PAYOUT',
  /**
   * A step after the pivot, or a compensation, got a permanent answer (a 4xx such as 404
   * Order not found, a contract violation): no retry fixes it until someone fixes the data.
   */
  StepRejected: 'STEP_REJECTED',
  /**
   * A step after the pivot, or a compensation, kept failing transiently (5xx, timeouts) for
   * the whole `stepRetryWindowMs`; the saga tries it again by itself while parked.
   */
  StepUnavailable: 'STEP_UNAVAILABLE',
  /**
   * An operator recorded a payout (markPaid) and the order is COMPLETED, but the payment
   * did not settle as a payout to this runner: FAILED, REVERTED, SUCCEEDED to someone
   * else, or still AUTHORIZED after the settlement window.
   */
  PayoutNotSettled: 'PAYOUT_NOT_SETTLED',
} as const;
export type ParkReason = (typeof ParkReason)[keyof typeof ParkReason];

/** What an operator can decide for a parked saga. */
export const OperatorAction = {
  /** Send the release again: the operator verified that no transfer exists. */
  resend: 'resend',
  /**
   * The runner was paid: record the transfer the operator found and complete the order;
   * the saga keeps watching the payment until it settles.
   */
  markPaid: 'markPaid',
  /** Return the money: revert, confirm REVERTED, cancel the order. */
  refund: 'refund',
  /** Try the failed step again: the data or the service it failed on was fixed. */
  retry: 'retry',
  /**
   * Only for a compensation that cannot complete: the operator did it by hand. Recorded,
   * and the saga goes on without it.
   */
  skip: 'skip',
} as const;
export type OperatorAction = (typeof OperatorAction)[keyof typeof OperatorAction];

/** Decisions that fit each reason; anything else is refused. */
export const ALLOWED_ACTIONS: Record<ParkReason, readonly OperatorAction[]> = {
  RELEASE_UNCONFIRMED: ['resend', 'markPaid', 'refund'],
  REVERT_REJECTED: ['refund', 'markPaid'],
  REVERT_UNCONFIRMED: ['refund', 'markPaid'],
  TRANSFER_RACED_REVERT: ['markPaid', 'refund'],
  PAYMENT_STATE_UNEXPECTED: ['markPaid', 'refund'],
  ORDER_CHANGED_AFTER_PAYOUT: ['markPaid', 'refund'],
  // `skip` only where the step is a compensation: the park's own `allowed` says which.
  STEP_REJECTED: ['retry', 'skip'],
  STEP_UNAVAILABLE: ['retry', 'skip'],
  PAYOUT_NOT_SETTLED: ['markPaid', 'refund'],
};

/** The argument of the `decide` Update. */
export interface OperatorDecision {
  action: OperatorAction;
  /** Who decided (an e-mail or user name); recorded with the decision. */
  operator: string;
  /** Why, in a sentence: what the operator checked. Recorded with the decision. */
  reason: string;
  /** For `markPaid`: the Stripe transfer id the operator found (`tr_...`). */
  transferId?: string;
}

/** A decision as the saga recorded it. */
export interface DecisionRecord extends OperatorDecision {
  decidedAt: string;
  parkedReason: ParkReason;
}

/** What the saga shows while it waits for an operator. */
export interface ParkedState {
  reason: ParkReason;
  /** One sentence for the on-call engineer: what is known and what is not. */
  message: string;
  since: string;
  allowed: readonly OperatorAction[];
  paymentId: string | null;
}

/** The Update an operator sends to a parked saga (see `npm run ops`). */
export const DECIDE_UPDATE = 'decide';

/** Values of the `SagaState` search attribute (a saved view lists NEEDS_OPERATOR). */
export const SagaState = { running: 'RUNNING', needsOperator: 'NEEDS_OPERATOR' } as const;
export type SagaState = (typeof SagaState)[keyof typeof SagaState];

const TRANSFER_ID = /^tr_[A-Za-z0-9]{1,64}$/;
const MAX_TEXT = 500;

function describeText(name: string, value: unknown): string | undefined {
  if (typeof value !== 'string' || value.trim() === '') return `${name} is required`;
  if (value.length > MAX_TEXT) return `${name} must be at most ${MAX_TEXT} characters`;
  return undefined;
}

/**
 * Why `decision` cannot be taken now, or undefined when it can. `parked` is the saga's
 * parked state (null when it is not parked).
 */
export function describeInvalidDecision(
  decision: unknown,
  parked: ParkedState | null,
): string | undefined {
  if (!parked) return 'the saga is not waiting for an operator';
  if (typeof decision !== 'object' || decision === null) return 'decision must be an object';
  const d = decision as Partial<OperatorDecision>;
  if (!Object.values(OperatorAction).includes(d.action as OperatorAction)) {
    return `action must be one of ${Object.values(OperatorAction).join(', ')}`;
  }
  const text = describeText('operator', d.operator) ?? describeText('reason', d.reason);
  if (text) return text;
  if (!parked.allowed.includes(d.action as OperatorAction)) {
    const only =
      d.action === OperatorAction.skip && ALLOWED_ACTIONS[parked.reason].includes(d.action)
        ? ' (skip is only for a compensation that cannot complete)'
        : '';
    return `${d.action} does not fit ${parked.reason}${only}: allowed are ${parked.allowed.join(', ')}`;
  }
  if (d.action === OperatorAction.markPaid && !TRANSFER_ID.test(String(d.transferId ?? ''))) {
    return 'markPaid needs transferId, the Stripe transfer id (tr_...) the operator found';
  }
  if (d.action !== OperatorAction.markPaid && d.transferId !== undefined) {
    return 'transferId is only for markPaid';
  }
  return undefined;
}
