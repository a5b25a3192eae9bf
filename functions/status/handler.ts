/**
 * GET /orders/{orderId}/completion: the saga's state, so callers stop guessing with
 * sleeps: running (at which step), completed (with its result), failed (with its type).
 */
import { type Client, WorkflowFailedError, WorkflowNotFoundError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { isValidId } from '../../common/ids';
import { PROGRESS_QUERY, workflowIdFor } from '../../common/names';
import type { SagaProgress } from '../../common/saga';
import { RUNNER_ID_ATTRIBUTE } from '../../common/start';
import { type Caller, callerOf, mayActFor } from '../auth';
import { apiConfig } from '../config';
import { apiChain } from '../http/chain';
import { ApiError, ApiErrorCode } from '../http/errors';
import { json } from '../http/response';
import { withTemporal } from '../temporal/client';

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

async function completion(event: APIGatewayProxyEventV2) {
  const caller = callerOf(event, apiConfig().authMode);
  const orderId = event.pathParameters?.orderId?.toLowerCase();
  if (!isValidId('orderId', orderId))
    throw new ApiError(400, ApiErrorCode.InvalidRequest, 'orderId must be a UUID');
  const body = await withTemporal(async (client) => {
    const { handle, description } = await describeSaga(client, orderId, caller);
    const base = {
      order_id: orderId,
      workflow_id: handle.workflowId,
      run_id: description.runId,
      status: description.status.name,
    };
    if (description.status.name === 'RUNNING') {
      const progress = await handle.query<SagaProgress>(PROGRESS_QUERY).catch(() => null);
      return { ...base, progress };
    }
    if (description.status.name === 'COMPLETED') return { ...base, result: await handle.result() };
    if (description.status.name === 'FAILED')
      return { ...base, failure: await failureOf(handle.result()) };
    return base;
  });
  return json(200, body);
}

export const handler = apiChain().handler(completion);
