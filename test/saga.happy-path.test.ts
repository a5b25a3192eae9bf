import { describe, expect, it } from 'vitest';
import { PROGRESS_QUERY } from '../common/workflow-safe/names';
import type { CompleteOrderResult, SagaProgress } from '../common/workflow-safe/saga-contract';
import { useHarness } from './support/harness';

describe('CompleteOrderWorkflow: the happy path', () => {
  const h = useHarness();

  it('pays the runner once and leaves the order COMPLETED', async () => {
    // Prepare / Act
    const { seeded, handle } = await h.seedAndStart();
    const result = (await handle.result()) as CompleteOrderResult;
    // Assess
    const { state } = h.sandbox;
    expect(result.outcome).toBe('COMPLETED');
    expect(result.orderStatus).toBe('COMPLETED');
    expect(state.orders.get(seeded.orderId)?.orderStatus).toBe('COMPLETED');
    const transfers = state.entries('transfer', seeded.orderId);
    expect(transfers).toHaveLength(1);
    expect(result.transferId).toBe(transfers[0]?.detail);
    expect(state.entries('status-change', seeded.orderId).map((e) => e.detail)).toEqual([
      'DELIVERED',
      'COMPLETED',
    ]);
    expect(state.entries('revert-request', seeded.orderId)).toHaveLength(0);
  });

  it('reports every step done through the progress query', async () => {
    const { handle } = await h.seedAndStart();
    await handle.result();
    const progress = await handle.query<SagaProgress>(PROGRESS_QUERY);
    expect(progress).toEqual({
      status: 'COMPLETED',
      currentStep: null,
      stepsDone: [
        'readOrder',
        'markDelivered',
        'getConnectAccount',
        'getPayment',
        'checkBeforeRelease',
        'releaseFunds',
        'markCompleted',
      ],
      compensationsRun: [],
      waitingFor: null,
      failureType: null,
      parked: null,
      decisions: [],
      cancelRequested: false,
    });
  });
});
