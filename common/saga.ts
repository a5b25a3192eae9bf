import type { OrderStatus, PaymentSnapshot } from './contracts';

/** Tunables of one saga; every field has a default (see {@link DEFAULT_SAGA_SETTINGS}). */
export interface SagaSettings {
  /** How long to wait for a runner without a Stripe Connect account to onboard. */
  connectAccountWaitMs: number;
  /**
   * How long to wait for a queued (or possibly queued) release to settle as SUCCEEDED or
   * FAILED before reverting the still-authorized payment (ADR 0002).
   */
  settlementWaitMs: number;
  /** How many times a release the Payment Service definitely rejected is re-sent. */
  releaseAttempts: number;
  /** Start-to-close timeout of one activity attempt (one HTTP request plus margin). */
  activityTimeoutMs: number;
}

export const DEFAULT_SAGA_SETTINGS: SagaSettings = {
  connectAccountWaitMs: 24 * 60 * 60 * 1000,
  settlementWaitMs: 24 * 60 * 60 * 1000,
  releaseAttempts: 5,
  activityTimeoutMs: 30_000,
};

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
  /** `ALREADY_COMPLETED` when the order was COMPLETED before this saga touched it. */
  outcome: 'COMPLETED' | 'ALREADY_COMPLETED';
  orderStatus: OrderStatus;
  payment: PaymentSnapshot | null;
  transferId: string | null;
}

export const SagaStep = {
  readOrder: 'readOrder',
  markDelivered: 'markDelivered',
  getConnectAccount: 'getConnectAccount',
  getPayment: 'getPayment',
  releaseFunds: 'releaseFunds',
  markCompleted: 'markCompleted',
} as const;
export type SagaStep = (typeof SagaStep)[keyof typeof SagaStep];

export type SagaStatus = 'RUNNING' | 'COMPENSATING' | 'COMPLETED' | 'FAILED';

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
}
