/**
 * GET /orders/{orderId}/completion: the saga's state, so callers stop guessing with
 * sleeps: running (at which step, or waiting for an operator), completed (with its result
 * and any operator decisions), failed (with its type), cancelled (with what was undone).
 * A runner reads the runner view of it (views.ts); services read everything.
 */
import {
  type Client,
  type WorkflowExecutionDescription,
  WorkflowFailedError,
  type WorkflowHandle,
  WorkflowNotFoundError,
} from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isValidId } from '../../common/workflow-safe/ids';
import { PROGRESS_QUERY, workflowIdFor } from '../../common/workflow-safe/names';
import { SagaState } from '../../common/workflow-safe/operator';
import type { CompleteOrderResult, SagaProgress } from '../../common/workflow-safe/saga-contract';
import {
  RUNNER_ID_ATTRIBUTE,
  SAGA_STATE_ATTRIBUTE,
} from '../../common/workflow-safe/search-attributes';
import { type Caller, callerOf, mayActFor } from '../auth';
import { apiConfig } from '../config';
import { apiChain } from '../http/chain';
import { ApiError, ApiErrorCode } from '../http/errors';
import { json } from '../http/response';
import { withTemporal } from '../temporal/client';
import { type CompletionReply, completionFor } from './views';

const notFound = () =>
  new ApiError(404, ApiErrorCode.NotFound, 'no completion saga exists for this order');

async function describeSaga(client: Client, orderId: string, caller: Caller) {
  const handle = client.workflow.getHandle(workflowIdFor(orderId));
  const description = await handle.describe().catch((error: unknown) => {
    throw error instanceof WorkflowNotFoundError ? notFound() : error;
  });
  // A runner sees only their own sagas; others look exactly like a missing one.
  const runnerId = description.typedSearchAttributes.get(RUNNER_ID_ATTRIBUTE);
  if (runnerId === undefined || !mayActFor(caller, runnerId)) throw notFound();
  return { handle, description };
}

async function failureOf(result: Promise<unknown>) {
  const error = await result.then(
    () => undefined,
    (e: unknown) => e,
  );
  const cause = error instanceof WorkflowFailedError ? error.cause : undefined;
  if (cause instanceof ApplicationFailure)
    return { type: cause.type ?? 'UnknownFailure', message: cause.message };
  return { type: 'UnknownFailure', message: 'the saga ended without a typed failure' };
}

/**
 * A running saga's progress, and whether it waits for an operator. The progress query is
 * the saga's own word; when no worker answers in time, the SagaState search attribute
 * (from the same describe call) still tells whether it is parked.
 */
async function running(handle: WorkflowHandle, description: WorkflowExecutionDescription) {
  const progress = await handle.query<SagaProgress>(PROGRESS_QUERY).catch(() => null);
  const parked = progress?.parked;
  const needsOperator = progress
    ? progress.status === 'NEEDS_OPERATOR'
    : description.typedSearchAttributes.get(SAGA_STATE_ATTRIBUTE) === SagaState.needsOperator;
  return {
    progress,
    needs_operator: needsOperator,
    ...(parked
      ? {
          parked: {
            reason: parked.reason,
            message: parked.message,
            since: parked.since,
            allowed: parked.allowed,
          },
        }
      : {}),
  };
}

async function completion(event: APIGatewayProxyEventV2) {
  const caller = callerOf(event, apiConfig().authMode);
  const orderId = event.pathParameters?.orderId?.toLowerCase();
  if (!isValidId('orderId', orderId))
    throw new ApiError(400, ApiErrorCode.InvalidRequest, 'orderId must be a UUID');
  const body = await withTemporal(async (client): Promise<CompletionReply> => {
    const { handle, description } = await describeSaga(client, orderId, caller);
    const base = {
      order_id: orderId,
      workflow_id: handle.workflowId,
      run_id: description.runId,
      status: description.status.name,
    };
    const status = description.status.name;
    if (status === 'RUNNING') return { ...base, ...(await running(handle, description)) };
    if (status === 'COMPLETED') {
      return { ...base, result: (await handle.result()) as CompleteOrderResult };
    }
    if (status === 'FAILED') return { ...base, failure: await failureOf(handle.result()) };
    if (status === 'CANCELLED') {
      // What the saga undid before it stopped (compensationsRun); null if no worker answers.
      const progress = await handle.query<SagaProgress>(PROGRESS_QUERY).catch(() => null);
      return { ...base, progress };
    }
    return base;
  });
  return json(200, completionFor(caller, body));
}

export const handler = apiChain().handler(completion);
