/** `ops show <orderId>`: what Temporal and the saga itself say about one order's saga. */
import type { Client } from '@temporalio/client';
import {
  ORDER_ID_ATTRIBUTE,
  RUNNER_ID_ATTRIBUTE,
  SAGA_STATE_ATTRIBUTE,
} from '../common/workflow-safe/search-attributes';
import { describeSaga, progressOf } from './temporal';

export async function showSaga(client: Client, orderId: string) {
  const description = await describeSaga(client, orderId);
  const read = await progressOf(client, orderId, description.runId);
  const attributes = description.typedSearchAttributes;
  return {
    orderId,
    workflowId: description.workflowId,
    runId: description.runId,
    type: description.type,
    status: description.status.name,
    taskQueue: description.taskQueue,
    startTime: description.startTime.toISOString(),
    closeTime: description.closeTime?.toISOString() ?? null,
    historyLength: description.historyLength,
    searchAttributes: {
      OrderId: attributes.get(ORDER_ID_ATTRIBUTE) ?? null,
      RunnerId: attributes.get(RUNNER_ID_ATTRIBUTE) ?? null,
      SagaState: attributes.get(SAGA_STATE_ATTRIBUTE) ?? null,
    },
    progress: 'progress' in read ? read.progress : null,
    ...('error' in read ? { progressError: read.error } : {}),
  };
}
