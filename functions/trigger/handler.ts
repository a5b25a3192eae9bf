/**
 * POST /triggerCompleteOrderWorkflow: starts the saga for a delivered order, once.
 * A second trigger while it runs, or after it completed, answers with the existing saga;
 * a saga that failed may be started again.
 */
import httpJsonBodyParser from '@middy/http-json-body-parser';
import { type Client, WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { completeOrderStart } from '../../common/start';
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

async function existingSaga(client: Client, workflowId: string): Promise<TriggerReply | undefined> {
  const { status, runId } = await client.workflow.getHandle(workflowId).describe();
  if (status.name === 'RUNNING')
    return { message: 'Workflow already running', workflow_id: workflowId, run_id: runId };
  if (status.name === 'COMPLETED')
    return { message: 'Workflow already completed', workflow_id: workflowId, run_id: runId };
  return undefined;
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
      const existing = await existingSaga(client, options.workflowId);
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
