/**
 * What a saga takes (its input), returns (its result) and shows (the `progress` query):
 * the workflow's side of the contract with every caller.
 */
import type { OrderStatus, PaymentSnapshot } from './contracts';
import type { DecisionRecord, ParkedState } from './operator';
import type { SagaSettings } from './saga-settings';

/** Input of `CompleteOrderWorkflow`. */
export interface CompleteOrderInput {
  orderId: string;
  runnerId: string;
  settings?: Partial<SagaSettings>;
}

/** Result of a saga that ended well. */
export interface CompleteOrderResult {
  orderId: string;
  runnerId: string;
  /**
   * `ALREADY_COMPLETED` when the order was COMPLETED before this saga touched it;
   * `REFUNDED` when an operator decided to return the money.
   */
  outcome: 'COMPLETED' | 'ALREADY_COMPLETED' | 'REFUNDED';
  orderStatus: OrderStatus;
  payment: PaymentSnapshot | null;
  transferId: string | null;
  /** True when a cancel request arrived after the pivot (it was recorded, not obeyed). */
  cancelRequested?: boolean;
  /** Operator decisions that led here. */
  decisions?: DecisionRecord[];
}

export const SagaStep = {
  readOrder: 'readOrder',
  markDelivered: 'markDelivered',
  getConnectAccount: 'getConnectAccount',
  getPayment: 'getPayment',
  checkBeforeRelease: 'checkBeforeRelease',
  releaseFunds: 'releaseFunds',
  markCompleted: 'markCompleted',
} as const;
export type SagaStep = (typeof SagaStep)[keyof typeof SagaStep];

export type SagaStatus =
  | 'RUNNING'
  | 'COMPENSATING'
  | 'NEEDS_OPERATOR'
  | 'COMPLETED'
  | 'FAILED'
  | 'CANCELLED';

/** What the `progress` query returns. */
export interface SagaProgress {
  status: SagaStatus;
  currentStep: SagaStep | null;
  stepsDone: SagaStep[];
  compensationsRun: string[];
  /** Set while the saga waits on something outside it (onboarding, settlement). */
  waitingFor: string | null;
  /** The failure type once the saga failed. */
  failureType: string | null;
  /** Set while the saga waits for an operator (sagas started before v2 lack it). */
  parked?: ParkedState | null;
  /** Operator decisions taken so far. */
  decisions?: DecisionRecord[];
  /** A cancel request arrived; before the pivot it compensates, after it is only recorded. */
  cancelRequested?: boolean;
}
