/**
 * One saga run's state: what the `progress` query shows, whether a cancel was asked, and
 * the park/decide exchange with an operator.
 */
import {
  ApplicationFailure,
  CancellationScope,
  condition,
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
  type ParkReason,
  SagaState,
} from '../../common/workflow-safe/operator';
import type { SagaProgress, SagaStep } from '../../common/workflow-safe/saga-contract';
import type { SagaSettings } from '../../common/workflow-safe/saga-settings';
import { SAGA_STATE_ATTRIBUTE } from '../../common/workflow-safe/search-attributes';
import { decideUpdate, progressQuery } from './messages';
import type { SagaActivityProxies } from './retry-stances';

/** Checks a decision against fresh state; returns why it is refused, or undefined. */
export type DecisionCheck = (decision: OperatorDecision) => Promise<string | undefined>;

export interface ParkOptions {
  paymentId: string | null;
  /** Re-checked every `recheckEveryMs` while parked; a value ends the wait without a person. */
  recheck?: () => Promise<unknown | undefined>;
  recheckEveryMs?: number;
}

export type ParkResult<T> = { decision: DecisionRecord } | { resolved: T };

export class SagaRun {
  readonly progress: SagaProgress = SagaRun.initialProgress();
  /** The payment whose release claim this run holds, once it got it. */
  claimedPaymentId: string | null = null;
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
   * Stops for an operator: visible in the progress query, the `SagaState` search attribute
   * and a `saga parked` log line (the CloudWatch metric), until a decision arrives or
   * `recheck` finds the answer itself. Cancel requests do not end the wait.
   */
  async park<T>(reason: ParkReason, message: string, options: ParkOptions): Promise<ParkResult<T>> {
    const parked: ParkedState = {
      reason,
      message,
      since: new Date().toISOString(),
      allowed: ALLOWED_ACTIONS[reason],
      paymentId: options.paymentId,
    };
    this.setParked(parked);
    log.warn('saga parked', { orderId: this.orderId, reason, message });
    try {
      return await this.waitForDecision<T>(options);
    } finally {
      this.pending = undefined;
      this.setParked(null);
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

  private setParked(parked: ParkedState | null): void {
    this.progress.parked = parked;
    this.progress.status = parked ? 'NEEDS_OPERATOR' : 'RUNNING';
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
