import { ActivityFailure, ApplicationFailure, log } from '@temporalio/workflow';
import { FailureType } from '../../../common/workflow-safe/failure-types';
import type { SagaProgress, SagaStep } from '../../../common/workflow-safe/saga-contract';
import { failureTypeOf, rootMessage, sagaFailure, sagaFailureOf } from '../failures';

interface Compensation {
  name: string;
  run: () => Promise<void>;
}

/**
 * Tracks the saga's progress (what the `progress` query returns) and its compensation
 * stack. Compensations run in reverse order of registration.
 */
export class Saga {
  private readonly compensations: Compensation[] = [];
  readonly progress: SagaProgress = {
    status: 'RUNNING',
    currentStep: null,
    stepsDone: [],
    compensationsRun: [],
    waitingFor: null,
    failureType: null,
  };

  /** Runs one forward step and records it. */
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

  addCompensation(name: string, run: () => Promise<void>): void {
    this.compensations.push({ name, run });
  }

  /**
   * Runs the compensations newest first, then fails the saga with the cause's type.
   * Stops at the first compensation that fails: e.g. the order must not be cancelled
   * when the customer's money could not be returned.
   */
  async compensateAndFail(cause: unknown): Promise<never> {
    const type = failureTypeOf(cause);
    this.progress.status = 'COMPENSATING';
    this.progress.failureType = type;
    log.warn('saga compensating', { cause: type, message: rootMessage(cause) });
    for (const compensation of [...this.compensations].reverse()) {
      try {
        await compensation.run();
        this.progress.compensationsRun.push(compensation.name);
      } catch (error) {
        this.fail(FailureType.CompensationFailed);
        throw sagaFailure(
          FailureType.CompensationFailed,
          `compensation ${compensation.name} failed after ${type}: ${rootMessage(error)}`,
          {
            cause: type,
            compensation: compensation.name,
            compensationsRun: this.progress.compensationsRun,
          },
        );
      }
    }
    this.fail(type);
    throw sagaFailureOf(type, `${rootMessage(cause)} (compensated: ${this.describeRun()})`, {
      compensationsRun: this.progress.compensationsRun,
    });
  }

  /**
   * Records the saga's end and returns what the workflow should throw: failures from
   * activities become a saga failure of the same type; saga failures pass through; any
   * other error (a bug) is rethrown as is so the workflow task retries after a fix.
   */
  failWith(error: unknown): unknown {
    const failure =
      error instanceof ActivityFailure
        ? sagaFailureOf(failureTypeOf(error), rootMessage(error))
        : error;
    if (failure instanceof ApplicationFailure && this.progress.status !== 'FAILED') {
      this.fail(failureTypeOf(failure));
    }
    return failure;
  }

  fail(type: string): void {
    this.progress.status = 'FAILED';
    this.progress.currentStep = null;
    this.progress.waitingFor = null;
    this.progress.failureType = type;
  }

  complete(): void {
    this.progress.status = 'COMPLETED';
    this.progress.currentStep = null;
    this.progress.waitingFor = null;
  }

  private describeRun(): string {
    return this.progress.compensationsRun.join(', ') || 'nothing to undo';
  }
}
