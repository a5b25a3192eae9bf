import { Context } from '@temporalio/activity';
import type { RequestContext } from '../clients/http';

/** Room left for reporting the outcome once a request ended. */
const MARGIN_MS = 1_000;

/**
 * Request context of the running activity: its workflow id is the correlation id, and its
 * request must end before the activity's own timeout does (so a reply that arrives is
 * seen, never turned into an activity timeout: for a release, "unknown").
 */
export function requestContext(idempotencyKey?: string): RequestContext {
  const { info } = Context.current();
  const correlationId = info.workflowExecution?.workflowId ?? 'unknown-workflow';
  const budgetMs = Math.max(100, info.startToCloseTimeoutMs - MARGIN_MS);
  return idempotencyKey ? { correlationId, idempotencyKey, budgetMs } : { correlationId, budgetMs };
}
