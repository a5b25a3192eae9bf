import { TypedSearchAttributes } from '@temporalio/common';
import { TASK_QUEUE, WORKFLOW_TYPE, workflowIdFor } from './workflow-safe/names';
import { SagaState } from './workflow-safe/operator';
import type { CompleteOrderInput } from './workflow-safe/saga-contract';
import { resolveSagaSettings } from './workflow-safe/saga-settings';
import {
  ORDER_ID_ATTRIBUTE,
  RUNNER_ID_ATTRIBUTE,
  SAGA_STATE_ATTRIBUTE,
} from './workflow-safe/search-attributes';

/**
 * Everything needed to start a saga, for every starter (API, tests, scripts): the type,
 * the one workflow id per order, the task queue and the search attributes operators use.
 * No execution timeout: a saga may wait a day for onboarding and must not be cut short.
 * The settings are resolved here, so the saga carries every value it will use.
 */
export function completeOrderStart(input: CompleteOrderInput, taskQueue: string = TASK_QUEUE) {
  return {
    workflowType: WORKFLOW_TYPE,
    options: {
      taskQueue,
      workflowId: workflowIdFor(input.orderId),
      args: [{ ...input, settings: resolveSagaSettings(input.settings) }] as [CompleteOrderInput],
      typedSearchAttributes: new TypedSearchAttributes([
        { key: ORDER_ID_ATTRIBUTE, value: input.orderId },
        { key: RUNNER_ID_ATTRIBUTE, value: input.runnerId },
        { key: SAGA_STATE_ATTRIBUTE, value: SagaState.running },
      ]),
    },
  };
}
