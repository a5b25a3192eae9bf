import type { WorkflowHandle } from '@temporalio/client';
import { expect } from 'vitest';
import type { CompleteOrderResult } from '../../common/workflow-safe/saga-contract';
import type { SandboxState } from '../../sandbox/services/state';

/**
 * Settles the one release the sandbox holds (an earlier run's) and checks that the saga
 * then completes on it: one release request, one transfer, no revert, the order COMPLETED.
 */
export async function expectHeldReleasePaysOnce(
  state: SandboxState,
  orderId: string,
  handle: WorkflowHandle,
): Promise<void> {
  expect(state.heldCount).toBe(1);
  state.holdQueue = false;
  state.settleHeld();
  const result = (await handle.result()) as CompleteOrderResult;
  expect(result.outcome).toBe('COMPLETED');
  expect(state.entries('release-request', orderId)).toHaveLength(1);
  expect(state.entries('transfer', orderId)).toHaveLength(1);
  expect(state.entries('revert-request', orderId)).toHaveLength(0);
  expect(state.orders.get(orderId)?.orderStatus).toBe('COMPLETED');
}
