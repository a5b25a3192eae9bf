import {
  defineSearchAttributeKey,
  SearchAttributeType,
  TypedSearchAttributes,
} from '@temporalio/common';
import { SEARCH_ATTRIBUTE_NAMES, TASK_QUEUE, WORKFLOW_TYPE, workflowIdFor } from './names';
import { SagaState } from './operator';
import { type CompleteOrderInput, resolveSagaSettings } from './saga';

export const ORDER_ID_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.orderId,
  SearchAttributeType.KEYWORD,
);
export const RUNNER_ID_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.runnerId,
  SearchAttributeType.KEYWORD,
);

export const SAGA_STATE_ATTRIBUTE = defineSearchAttributeKey(
  SEARCH_ATTRIBUTE_NAMES.sagaState,
  SearchAttributeType.KEYWORD,
);

/** Keys of the saga's search attributes, registered on every namespace it runs in. */
export const SEARCH_ATTRIBUTE_KEYS = [
  ORDER_ID_ATTRIBUTE,
  RUNNER_ID_ATTRIBUTE,
  SAGA_STATE_ATTRIBUTE,
] as const;

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
