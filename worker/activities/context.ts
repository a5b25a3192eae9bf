import { Context } from '@temporalio/activity';
import type { RequestContext } from '../clients/http';

/** Request context of the running activity: its workflow id is the correlation id. */
export function requestContext(idempotencyKey?: string): RequestContext {
  const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'unknown-workflow';
  return idempotencyKey
    ? { correlationId: workflowId, idempotencyKey }
    : { correlationId: workflowId };
}
