/**
 * Waits until every order's saga has ended or parked for an operator (a parked saga waits
 * for a person: there is nothing more to wait for), then judges each order.
 */
import { setTimeout as delay } from 'node:timers/promises';
import { WORKFLOW_TYPE, workflowIdFor } from '../common/workflow-safe/names';
import { SagaState } from '../common/workflow-safe/operator';
import type { ReliabilityEnvironment } from './environment';
import { gatherFacts, type OrderFacts } from './facts';
import { type OrderVerdict, verdict } from './invariants';

const PARKED_QUERY = `WorkflowType = '${WORKFLOW_TYPE}' AND ExecutionStatus = 'Running' AND SagaState = '${SagaState.needsOperator}'`;

/**
 * Long-polls each saga's result and lists parked sagas with backoff, until all are one or
 * the other, or `timeoutMs` passed.
 */
export async function untilSettled(
  env: ReliabilityEnvironment,
  orderIds: string[],
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  const pending = new Set(orderIds.map(workflowIdFor));
  const abort = new AbortController();
  let allSettled = () => {};
  const settled = new Promise<void>((resolve) => {
    allSettled = resolve;
  });
  const settle = (workflowId: string) => {
    if (pending.delete(workflowId) && pending.size === 0) allSettled();
  };
  if (pending.size === 0) return;
  for (const workflowId of [...pending]) {
    const ended = () => env.client.workflow.getHandle(workflowId).result();
    env.client.withAbortSignal(abort.signal, ended).then(
      () => settle(workflowId),
      () => settle(workflowId),
    );
  }
  try {
    for (let waitMs = 500; pending.size > 0 && Date.now() < deadline; ) {
      try {
        for await (const parked of env.client.workflow.list({ query: PARKED_QUERY })) {
          settle(parked.workflowId);
        }
      } catch {
        // The server may be restarting: the next round asks again.
      }
      await Promise.race([settled, delay(Math.max(0, Math.min(waitMs, deadline - Date.now())))]);
      waitMs = Math.min(waitMs * 2, 4_000);
    }
  } finally {
    abort.abort();
  }
}

/** The order's facts once its saga ended or parked (a saga may resume from a park by itself). */
async function settledFacts(env: ReliabilityEnvironment, orderId: string, deadline: number) {
  for (let waitMs = 250; ; waitMs = Math.min(waitMs * 2, 3_000)) {
    const facts: OrderFacts | undefined =
      Date.now() >= deadline
        ? await gatherFacts(env, orderId)
        : await gatherFacts(env, orderId).catch(() => undefined);
    const saga = facts?.saga;
    const running = saga?.status === 'RUNNING' && saga.progress?.status !== 'NEEDS_OPERATOR';
    if (facts && (!running || Date.now() >= deadline)) return facts;
    await delay(Math.max(0, Math.min(waitMs, deadline - Date.now())));
  }
}

/** Runs `fn` over `items`, `limit` at a time, keeping their order. */
async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>) {
  const results = new Array<R>(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const at = next++;
      results[at] = await fn(items[at] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/** Waits (at most `timeoutMs`) until every saga ended or parked, then judges each order. */
export async function judge(
  env: ReliabilityEnvironment,
  orderIds: string[],
  timeoutMs: number,
): Promise<OrderVerdict[]> {
  const deadline = Date.now() + timeoutMs;
  await untilSettled(env, orderIds, timeoutMs);
  return mapLimited(orderIds, 8, async (id) => verdict(await settledFacts(env, id, deadline)));
}
