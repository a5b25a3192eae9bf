/**
 * The claims the service makes, checked per order against the sandbox ledger and the
 * Temporal server: paid out exactly once or cleanly compensated.
 */
import { workflowIdFor } from '../common/names';
import type { ReliabilityEnvironment } from './environment';

export type Outcome = 'paid' | 'compensated' | 'failed-untouched' | 'not-terminal';

export interface OrderVerdict {
  orderId: string;
  outcome: Outcome;
  violations: string[];
}

const TERMINAL = new Set(['COMPLETED', 'FAILED', 'TERMINATED', 'CANCELLED', 'TIMED_OUT']);

export async function verdict(env: ReliabilityEnvironment, orderId: string): Promise<OrderVerdict> {
  const { state } = env.sandbox;
  const transfers = state.entries('transfer', orderId).length;
  const reverts = state.entries('revert-request', orderId).length;
  const orderStatus = state.orders.get(orderId)?.orderStatus;
  const workflowId = workflowIdFor(orderId);
  const sagas = await env.client.workflow.count(`WorkflowId = '${workflowId}'`);
  const status = await env.client.workflow
    .getHandle(workflowId)
    .describe()
    .then(
      (d) => d.status.name as string,
      () => 'NO SAGA',
    );
  const violations: string[] = [];
  if (transfers > 1) violations.push(`${transfers} transfers`);
  if (transfers === 1 && orderStatus !== 'COMPLETED')
    violations.push(`transfer but order ${orderStatus}`);
  if (reverts > 0 && transfers > 0) violations.push('revert after a transfer');
  if (!TERMINAL.has(status)) violations.push(`saga ${status}`);
  if (orderStatus === 'DELIVERED' && TERMINAL.has(status)) violations.push('order left DELIVERED');
  if (sagas.count !== 1) violations.push(`${sagas.count} sagas`);
  const outcome: Outcome = !TERMINAL.has(status)
    ? 'not-terminal'
    : transfers === 1
      ? 'paid'
      : reverts > 0 || orderStatus === 'CANCELLED'
        ? 'compensated'
        : 'failed-untouched';
  return { orderId, outcome, violations };
}

/** Waits until every order's saga ended (or `timeoutMs` passed), then judges each. */
export async function judge(env: ReliabilityEnvironment, orderIds: string[], timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  await Promise.all(
    orderIds
      .map((id) =>
        env.client.workflow
          .getHandle(workflowIdFor(id))
          .result()
          .catch(() => undefined),
      )
      .map((p) =>
        Promise.race([
          p,
          new Promise((resolve) => setTimeout(resolve, Math.max(0, deadline - Date.now()))),
        ]),
      ),
  );
  const verdicts = [];
  for (const id of orderIds) verdicts.push(await verdict(env, id));
  return verdicts;
}
