/** The saga's entry point: which version of the saga a history runs on. */
import { patched } from '@temporalio/workflow';
import type { CompleteOrderResult } from '../../common/workflow-safe/saga-contract';
import { completeOrderV2 } from './complete-order-v2';
import { completeOrderV1 } from './v1/complete-order';

/**
 * The money-safety change (issue 9). Sagas whose history has no marker (started before it)
 * finish on the frozen v1 code; every new saga records the marker and runs
 * complete-order-v2.ts.
 */
const MONEY_SAFETY_PATCH = 'money-safety-v2';

/**
 * Completes a delivered order: marks it DELIVERED, pays the runner (the pivot) and marks
 * it COMPLETED. Before the pivot every step is undone on failure or cancel; after it
 * nothing is, and what cannot be known waits for an operator.
 */
export async function CompleteOrderWorkflow(rawInput: unknown): Promise<CompleteOrderResult> {
  if (patched(MONEY_SAFETY_PATCH)) return completeOrderV2(rawInput);
  return completeOrderV1(rawInput);
}
