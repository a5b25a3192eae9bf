/**
 * One saga run's state: what the `progress` query shows, whether a cancel was asked, and
 * the park/decide exchange with an operator.
 */

import { RetryState } from '@temporalio/common';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setHandler,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import type { OrderSnapshot, PaymentSnapshot } from '../../common/workflow-safe/contracts';
import {
  ALLOWED_ACTIONS,
  type DecisionRecord,
  describeInvalidDecision,
  OperatorAction,
  type OperatorDecision,
  type ParkedState,
  ParkReason,
  SagaState,
} from '../../common/workflow-safe/operator';
import type { SagaProgress, SagaStep } from '../../common/workflow-safe/saga-contract';
import type { SagaSettings } from '../../common/workflow-safe/saga-settings';
import { SAGA_STATE_ATTRIBUTE } from '../../common/workflow-safe/search-attributes';
import { failureTypeOf, rootMessage } from './failures';
import { decideUpdate, progressQuery } from './messages';
import type { SagaActivityProxies } from './retry-stances';

/** Checks a decision against fresh state; returns why it is refused, or undefined. */
export type DecisionCheck = (decision: OperatorDecision) => Promise<string | undefined>;

export interface ParkOptions {
  paymentId: string | null;
  /** Re-checked every `recheckEveryMs` while parked; a value ends the wait without a person. */
  recheck?: () => Promise<unknown | undefined>;
  recheckEveryMs?: number;
  /** The decisions this park allows: a subset of the reason's (`ALLOWED_ACTIONS`). */
  allowed?: readonly OperatorAction[];
}

export type ParkResult<T> = { decision: DecisionRecord } | { resolved: T };

export interface UntilDoneOptions {
  /**
   * The step is a compensation of this failure: the park names it, the failure is kept for
   * the saga's final failure, and an operator may `skip` it (done by hand).
   */
  compensating?: string;
  /**
   * The caller handles a permanent answer itself (it is thrown, as before); only a
   * transient failure past the window parks.
   */
  throwRejected?: boolean;
  /** The payment the park names; this run's claimed payment by default. */
  paymentId?: string | null;
}

/** How a step that must finish ended: done, or skipped by an operator (compensations only). */
export type StepOutcome<T> = { done: T } | { skipped: DecisionRecord };

/** A compensation that could not complete by itself, and what ended its park. */
export interface CompensationFailure {
  compensation: string;
  /** `Type (message)` of the failure that parked it. */
  failure: string;
  parkedReason: ParkReason;
  /** The operator's decision, or null when the saga's own retry got it done. */
  decision: DecisionRecord | null;
}

const HOUR = 60 * 60_000;

/** A failure of the step itself (its activity), as opposed to a bug or a cancel. */
function isStepFailure(error: unknown): error is ActivityFailure {
  return error instanceof ActivityFailure && !isCancellation(error);
}

/** Permanent: the activity's retry policy stopped on a non-retryable type (a 4xx...). */
function isRejection(error: ActivityFailure): boolean {
  return error.retryState === RetryState.NON_RETRYABLE_FAILURE;
}

type Retried<T> = { done: T } | { rejected: ActivityFailure };

export class SagaRun {
  readonly progress: SagaProgress = SagaRun.initialProgress();
  /** The payment whose release claim this run holds, once it got it. */
  claimedPaymentId: string | null = null;
  /** Compensations that failed and parked, for the saga's final failure. */
  readonly compensationFailures: CompensationFailure[] = [];
  /** A decision for the current park; cleared when the park ends, so none outlives it. */
  private pending: DecisionRecord | undefined;
  private deciding = false;

  constructor(
    readonly orderId: string,
    readonly runnerId: string,
    readonly settings: SagaSettings,
    readonly acts: SagaActivityProxies,
    private readonly checkDecision: DecisionCheck,
  ) {
    setHandler(progressQuery, () => this.progress);
    setHandler(decideUpdate, (decision) => this.decide(decision), {
      validator: (decision) => {
        const problem = this.deciding
          ? 'another decision is being applied'
          : describeInvalidDecision(decision, this.progress.parked ?? null);
        if (problem) throw new Error(problem);
      },
    });
    // The root scope is cancelled by a cancel request; the work itself runs in scopes that
    // decide for themselves whether to obey it (ADR 0001).
    CancellationScope.current().cancelRequested.catch(() => {
      this.progress.cancelRequested = true;
      log.warn('cancel requested', { step: this.progress.currentStep });
    });
  }

  static initialProgress(): SagaProgress {
    return {
      status: 'RUNNING',
      currentStep: null,
      stepsDone: [],
      compensationsRun: [],
      waitingFor: null,
      failureType: null,
      parked: null,
      decisions: [],
      cancelRequested: false,
    };
  }

  get cancelRequested(): boolean {
    return this.progress.cancelRequested === true;
  }

  async step<T>(step: SagaStep, run: () => Promise<T>): Promise<T> {
    this.progress.currentStep = step;
    log.info('saga step started', { step });
    const result = await run();
    this.progress.stepsDone.push(step);
    this.progress.currentStep = null;
    this.progress.waitingFor = null;
    return result;
  }

  waitingFor(what: string): void {
    this.progress.waitingFor = what;
  }

  compensated(name: string): void {
    this.progress.compensationsRun.push(name);
  }

  /**
   * Runs a step that must finish (after the pivot, or a compensation) until it is done:
   * the `afterPivot` and `compensation` activity stances stop on a permanent answer and
   * after `stepRetryWindowMs` of transient failures. A permanent answer parks
   * `STEP_REJECTED` (decision `retry`, once the data is fixed); a transient failure past the
   * window parks `STEP_UNAVAILABLE` and tries the step again on the park's recheck
   * schedule, so a recovered service resumes the saga without a person. The saga never
   * stays RUNNING without progress (issue 17, item 6).
   */
  async untilDone<T>(
    what: string,
    step: () => Promise<T>,
    options: Omit<UntilDoneOptions, 'compensating'> = {},
  ): Promise<T> {
    const outcome = await this.keepTrying(what, step, options);
    if ('done' in outcome) return outcome.done;
    throw new Error(`unreachable: ${what} is no compensation, skip is refused`);
  }

  /** {@link untilDone} for a compensation: an operator may also `skip` it (done by hand). */
  compensationUntilDone<T>(
    what: string,
    cause: string,
    step: () => Promise<T>,
  ): Promise<StepOutcome<T>> {
    return this.keepTrying(what, step, { compensating: cause });
  }

  private async keepTrying<T>(
    what: string,
    step: () => Promise<T>,
    options: UntilDoneOptions,
  ): Promise<StepOutcome<T>> {
    const once = async (): Promise<Retried<T>> => {
      try {
        return { done: await step() };
      } catch (error) {
        if (isStepFailure(error) && isRejection(error)) return { rejected: error };
        throw error;
      }
    };
    for (;;) {
      let failed: ActivityFailure;
      try {
        const tried = await once();
        if ('done' in tried) return tried;
        failed = tried.rejected;
      } catch (error) {
        if (!isStepFailure(error)) throw error;
        failed = error;
      }
      for (;;) {
        const rejected = isRejection(failed);
        if (rejected && options.throwRejected) throw failed;
        const parked = await this.parkStep<T>(what, failed, rejected, options, once);
        if ('decision' in parked) {
          if (parked.decision.action === OperatorAction.skip) return { skipped: parked.decision };
          break; // retry: the step runs again, with a whole new window
        }
        if ('done' in parked.resolved) return parked.resolved;
        failed = parked.resolved.rejected; // the service is back, and refuses: park again
      }
    }
  }

  private async parkStep<T>(
    what: string,
    failed: ActivityFailure,
    rejected: boolean,
    options: UntilDoneOptions,
    once: () => Promise<Retried<T>>,
  ): Promise<ParkResult<Retried<T>>> {
    const failure = `${failureTypeOf(failed)} (${rootMessage(failed)})`;
    const subject = options.compensating
      ? `compensation ${what} (of ${options.compensating})`
      : what;
    const windowMs = this.settings.stepRetryWindowMs;
    const window =
      windowMs < 60_000 ? `${windowMs / 1000} s` : `${Math.round(windowMs / 60_000)} min`;
    const message = rejected
      ? `${subject} was refused: ${failure}`
      : `${subject} kept failing for ${window}: ${failure}; the saga keeps trying`;
    const record: CompensationFailure | undefined = options.compensating
      ? {
          compensation: what,
          failure,
          parkedReason: rejected ? ParkReason.StepRejected : ParkReason.StepUnavailable,
          decision: null,
        }
      : undefined;
    if (record) this.compensationFailures.push(record);
    const parked = await this.park<Retried<T>>(
      rejected ? ParkReason.StepRejected : ParkReason.StepUnavailable,
      message,
      {
        paymentId: options.paymentId === undefined ? this.claimedPaymentId : options.paymentId,
        allowed: options.compensating
          ? [OperatorAction.retry, OperatorAction.skip]
          : [OperatorAction.retry],
        // A step that failed transiently is tried again while parked: still failing is
        // "not yet"; done, or a permanent answer, ends this park.
        ...(rejected
          ? {}
          : {
              recheckEveryMs: Math.min(this.settings.stepRetryWindowMs, HOUR),
              recheck: () =>
                once().catch((error: unknown) => {
                  if (isStepFailure(error)) return undefined;
                  throw error;
                }),
            }),
      },
    );
    if (record && 'decision' in parked) record.decision = parked.decision;
    return parked;
  }

  /**
   * Stops for an operator: visible in the progress query, the `SagaState` search attribute
   * and a `saga parked` log line (the CloudWatch metric), until a decision arrives or
   * `recheck` finds the answer itself. Cancel requests do not end the wait.
   */
  async park<T>(reason: ParkReason, message: string, options: ParkOptions): Promise<ParkResult<T>> {
    const fits = ALLOWED_ACTIONS[reason];
    const parked: ParkedState = {
      reason,
      message,
      since: new Date().toISOString(),
      allowed: options.allowed ? fits.filter((a) => options.allowed?.includes(a)) : fits,
      paymentId: options.paymentId,
    };
    // A compensation that parks goes on compensating once the park ends.
    const resumeAs = this.progress.status === 'COMPENSATING' ? 'COMPENSATING' : 'RUNNING';
    this.setParked(parked);
    log.warn('saga parked', { orderId: this.orderId, reason, message });
    try {
      return await this.waitForDecision<T>(options);
    } finally {
      this.pending = undefined;
      this.setParked(null, resumeAs);
    }
  }

  /**
   * Waits for a decision; with `recheck`, also checks by itself, at intervals that double
   * up to a day so a saga parked for months keeps a small history. A decision accepted
   * while a recheck was in flight wins (the operator was told it was recorded), except a
   * `resend` over a recheck that found the answer: the payment settled after the
   * operator's check, and a release sent now could pay twice. That decision stays recorded.
   */
  private async waitForDecision<T>(options: ParkOptions): Promise<ParkResult<T>> {
    let every = options.recheckEveryMs ?? 60 * 60_000;
    for (;;) {
      if (options.recheck) {
        await condition(() => this.pending !== undefined, every);
        every = Math.min(every * 2, 24 * 60 * 60_000);
      } else {
        await condition(() => this.pending !== undefined);
      }
      if (this.pending) return { decision: this.pending };
      if (this.deciding) continue;
      const found = await options.recheck?.();
      // Read again after the await: a decision may have arrived meanwhile.
      const decision = this.pendingDecision();
      if (found !== undefined && decision?.action === OperatorAction.resend) {
        log.warn('operator resend not sent: the payment settled meanwhile', {
          orderId: this.orderId,
        });
        return { resolved: found as T };
      }
      if (decision) return { decision };
      if (found !== undefined) return { resolved: found as T };
    }
  }

  private pendingDecision(): DecisionRecord | undefined {
    return this.pending;
  }

  private setParked(
    parked: ParkedState | null,
    resumeAs: 'RUNNING' | 'COMPENSATING' = 'RUNNING',
  ): void {
    this.progress.parked = parked;
    this.progress.status = parked ? 'NEEDS_OPERATOR' : resumeAs;
    const state = parked ? SagaState.needsOperator : SagaState.running;
    upsertSearchAttributes([{ key: SAGA_STATE_ATTRIBUTE, value: state }]);
  }

  private async decide(decision: OperatorDecision): Promise<DecisionRecord> {
    const parked = this.progress.parked;
    if (!parked) throw ApplicationFailure.nonRetryable('the saga is not parked', 'DecisionRefused');
    this.deciding = true;
    try {
      // Update handlers run in the root scope, which a cancel request has cancelled.
      const refused = await CancellationScope.nonCancellable(() => this.checkDecision(decision));
      if (refused) throw ApplicationFailure.nonRetryable(refused, 'DecisionRefused');
      if (this.progress.parked !== parked) {
        throw ApplicationFailure.nonRetryable(
          'the saga stopped waiting meanwhile',
          'DecisionRefused',
        );
      }
      const record: DecisionRecord = {
        action: decision.action,
        operator: decision.operator,
        reason: decision.reason,
        ...(decision.transferId ? { transferId: decision.transferId } : {}),
        decidedAt: new Date().toISOString(),
        parkedReason: parked.reason,
      };
      this.progress.decisions?.push(record);
      log.warn('operator decision', { orderId: this.orderId, ...record });
      this.pending = record;
      return record;
    } finally {
      this.deciding = false;
    }
  }

  complete(): void {
    this.end('COMPLETED', null);
  }

  end(status: SagaProgress['status'], failureType: string | null): void {
    this.progress.status = status;
    this.progress.failureType = failureType;
    this.progress.currentStep = null;
    this.progress.waitingFor = null;
  }
}

/** What the saga knows about the order and the payment at the pivot. */
export interface PivotFacts {
  order: OrderSnapshot;
  payment: PaymentSnapshot;
  connectAccountId: string;
}
