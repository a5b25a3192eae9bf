/**
 * Stable `ApplicationFailure` type strings. They cross the Temporal boundary, appear in
 * the UI and in the API's status replies, and are matched by retry policies, so they are
 * strings rather than class names a bundler could rename.
 */
export const FailureType = {
  /** Workflow input is missing or malformed. */
  InvalidInput: 'InvalidInput',
  /** Order Service says the order does not exist. */
  OrderNotFound: 'OrderNotFound',
  /** The order belongs to another runner. */
  RunnerMismatch: 'RunnerMismatch',
  /** The order is in a status from which it cannot be completed (e.g. CANCELLED). */
  OrderNotCompletable: 'OrderNotCompletable',
  /** User Service does not know the runner. */
  RunnerNotFound: 'RunnerNotFound',
  /** The runner has no Stripe Connect account yet (retried until the wait window ends). */
  ConnectAccountMissing: 'ConnectAccountMissing',
  /** Payment Service has no payment for the order. */
  PaymentNotFound: 'PaymentNotFound',
  /**
   * Someone else changed the order (cancelled, reassigned, moved its status) before the
   * payout: nothing was released.
   */
  OrderChanged: 'OrderChanged',
  /** The payment is not releasable (REVERTED, FAILED, or paid to someone else). */
  PaymentNotReleasable: 'PaymentNotReleasable',
  /**
   * The Payment Service refused the release with the contract's 400 validation error: it
   * was not queued. Any other 4xx is `ReleaseOutcomeUnknown`.
   */
  ReleaseRejected: 'ReleaseRejected',
  /** The release was provably not queued (the service answered its own 5xx/429 error). */
  ReleaseNotQueued: 'ReleaseNotQueued',
  /** The release may or may not have been accepted: it must not be sent again. */
  ReleaseOutcomeUnknown: 'ReleaseOutcomeUnknown',
  /** The payment's release claim is another run's: this run never sends, it confirms. */
  ReleaseNotClaimed: 'ReleaseNotClaimed',
  /** Settlement reported FAILED, or never settled within the confirmation window. */
  ReleaseFailed: 'ReleaseFailed',
  /** A downstream service answered something that breaks its contract. */
  ContractViolation: 'ContractViolation',
  /** A downstream service answered 4xx: retrying will not help. */
  DownstreamRejected: 'DownstreamRejected',
  /** 5xx, 429, timeout or connection error: worth retrying. */
  DownstreamUnavailable: 'DownstreamUnavailable',
} as const;

export type FailureType = (typeof FailureType)[keyof typeof FailureType];
