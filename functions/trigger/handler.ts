/**
 * POST /triggerCompleteOrderWorkflow: starts the saga for a delivered order, once.
 * A second trigger while it runs, or after it completed, answers with the existing saga,
 * if it is the requesting runner's (409 otherwise); a saga that failed may be started
 * again (the payment's release claim keeps a new run from paying twice).
 */
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { completeOrderStart } from '../../common/start';
import { RUNNER_ID_ATTRIBUTE } from '../../common/workflow-safe/search-attributes';
import { callerOf, mayActFor } from '../auth';
import { apiConfig, MAX_BODY_BYTES } from '../config';
import { apiChain } from '../http/chain';
import { ApiError, ApiErrorCode } from '../http/errors';
import { bodyLimit, strictUtf8 } from '../http/middleware';
import { json } from '../http/response';
import { logger } from '../logger';
import { withTemporal } from '../temporal/client';
import { describeIssues, type TriggerRequest, triggerBody } from './schema';

interface TriggerReply {
  message: string;
  workflow_id: string;
  run_id: string;
}

/** Seconds after which a retry may find the other runner's saga failed (RunnerMismatch). */
const OWNED_RETRY_AFTER_S = 5;

/**
 * Another runner's saga holds the order. Its runner id and run id stay private: a runner
 * may only learn about their own sagas. A running one fails fast if that runner is not the
 * order's runner, so a retry can then start this runner's saga.
 */
function ownedByAnotherRunner(running: boolean): ApiError {
  if (!running) {
    return new ApiError(
      409,
      ApiErrorCode.SagaOwnedByAnotherRunner,
      'this order was already completed by a saga for another runner',
    );
  }
  return new ApiError(
    409,
    ApiErrorCode.SagaOwnedByAnotherRunner,
    `a saga for another runner is running for this order; if the order is assigned to you, that saga ends shortly: retry after ${OWNED_RETRY_AFTER_S} seconds`,
    { headers: { 'retry-after': String(OWNED_RETRY_AFTER_S) } },
  );
}

async function existingSaga(
  client: Client,
  workflowId: string,
  runnerId: string,
): Promise<TriggerReply | undefined> {
  const description = await client.workflow.getHandle(workflowId).describe();
  const { status, runId } = description;
  if (status.name !== 'RUNNING' && status.name !== 'COMPLETED') return undefined;
  // A saga without the attribute cannot be shown to be this runner's: treated as another's.
  if (description.typedSearchAttributes.get(RUNNER_ID_ATTRIBUTE) !== runnerId) {
    throw ownedByAnotherRunner(status.name === 'RUNNING');
  }
  const message =
    status.name === 'RUNNING' ? 'Workflow already running' : 'Workflow already completed';
  return { message, workflow_id: workflowId, run_id: runId };
}

async function startSaga(client: Client, request: TriggerRequest): Promise<TriggerReply> {
  const { taskQueue, sagaSettings } = apiConfig();
  const settings = Object.keys(sagaSettings).length > 0 ? { settings: sagaSettings } : {};
  const { workflowType, options } = completeOrderStart({ ...request, ...settings }, taskQueue);
  // Two tries: the saga that blocked the first start may have failed in between.
  for (let attempt = 1; ; attempt++) {
    try {
      const handle = await client.workflow.start(workflowType, {
        ...options,
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        workflowIdConflictPolicy: 'FAIL',
      });
      return {
        message: 'Workflow triggered',
        workflow_id: handle.workflowId,
        run_id: handle.firstExecutionRunId,
      };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError) || attempt >= 2) throw error;
      const existing = await existingSaga(client, options.workflowId, request.runnerId);
      if (existing) return existing;
    }
  }
}

function parse(event: APIGatewayProxyEventV2): TriggerRequest {
  const parsed = triggerBody.safeParse(event.body);
  if (!parsed.success)
    throw new ApiError(400, ApiErrorCode.InvalidRequest, describeIssues(parsed.error));
  return parsed.data;
}

async function trigger(event: APIGatewayProxyEventV2) {
  const caller = callerOf(event, apiConfig().authMode);
  const request = parse(event);
  if (!mayActFor(caller, request.runnerId)) {
    throw new ApiError(
      403,
      ApiErrorCode.Forbidden,
      'a runner may only complete their own deliveries',
    );
  }
  const reply = await withTemporal((client) => startSaga(client, request));
  logger.info(reply.message, {
    workflowId: reply.workflow_id,
    runId: reply.run_id,
    orderId: request.orderId,
  });
  return json(200, reply);
}

export const handler = apiChain()
  .use(bodyLimit(MAX_BODY_BYTES))
  .use(strictUtf8())
  .use(httpJsonBodyParser())
  .handler(trigger);
