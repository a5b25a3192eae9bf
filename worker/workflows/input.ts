import { workflowInfo } from '@temporalio/workflow';
import { FailureType } from '../../common/workflow-safe/failure-types';
import { describeInvalidId } from '../../common/workflow-safe/ids';
import { workflowIdFor } from '../../common/workflow-safe/names';
import type { CompleteOrderInput } from '../../common/workflow-safe/saga-contract';
import {
  describeInvalidSettings,
  type SagaSettings,
} from '../../common/workflow-safe/saga-settings';
import { sagaFailure } from './failures';

export interface ParsedInput {
  orderId: string;
  runnerId: string;
  settings: SagaSettings;
}

/**
 * For inputs that name no settings (a start by hand). Frozen: a saga's path must not change
 * when a default in code does, so the starters' defaults live in common/workflow-safe/saga-settings.ts and are
 * resolved into every input; change those, never these.
 */
const FROZEN_FALLBACK: SagaSettings = {
  connectAccountWaitMs: 86_400_000,
  connectAccountPollMs: 60_000,
  settlementWaitMs: 86_400_000,
  releaseRetryWindowMs: 21_600_000,
  releaseRetryIntervalMs: 1_000,
  revertWaitMs: 86_400_000,
  activityTimeoutMs: 30_000,
  stepRetryWindowMs: 3_600_000,
};

function invalid(message: string): never {
  throw sagaFailure(FailureType.InvalidInput, `invalid workflow input: ${message}`);
}

/**
 * Checks the input before any activity runs. The workflow id must be the one derived from
 * the order id: that is what makes a second saga for the same order impossible.
 */
export function parseInput(raw: unknown): ParsedInput {
  if (typeof raw !== 'object' || raw === null) invalid('expected an object');
  const input = raw as Partial<CompleteOrderInput>;
  const problem =
    describeInvalidId('orderId', input.orderId) ??
    describeInvalidId('runnerId', input.runnerId) ??
    describeInvalidSettings(input.settings);
  if (problem) invalid(problem);
  const orderId = input.orderId as string;
  if (workflowInfo().workflowId !== workflowIdFor(orderId)) {
    invalid(`workflow id must be ${workflowIdFor(orderId)}`);
  }
  return {
    orderId,
    runnerId: input.runnerId as string,
    settings: { ...FROZEN_FALLBACK, ...input.settings },
  };
}
