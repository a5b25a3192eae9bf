/**
 * Everything the invariants look at for one order, read from the sandbox ledger and state
 * (what really moved) and from the Temporal server (what the sagas say).
 */
import type { WorkflowExecutionDescription } from '@temporalio/client';
import { PROGRESS_QUERY, releaseClaimIdFor, workflowIdFor } from '../common/workflow-safe/names';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import {
  RUNNER_ID_ATTRIBUTE,
  SAGA_STATE_ATTRIBUTE,
} from '../common/workflow-safe/search-attributes';
import type { LedgerEntry } from '../sandbox';
import type { ReliabilityEnvironment, SupportChange } from './environment';

export interface SagaFacts {
  /** Temporal's status of the latest run. */
  status: string;
  runnerId: string | undefined;
  /** The `SagaState` search attribute. */
  sagaState: string | undefined;
  /** The saga's progress query, while it runs. */
  progress: SagaProgress | undefined;
}

export interface OrderFacts {
  orderId: string;
  order: { status: string; runnerId: string | null } | undefined;
  payment: { paymentId: string; status: string; transferId: string | null } | undefined;
  /** Releases the Payment Service queued (only those: a refused one is not recorded). */
  releases: LedgerEntry[];
  transfers: LedgerEntry[];
  revertRequests: LedgerEntry[];
  refunds: LedgerEntry[];
  /** CANCELLED status writes, by anyone. */
  cancellations: LedgerEntry[];
  supportChanges: SupportChange[];
  saga: SagaFacts | undefined;
  /** Run ids Temporal holds for the order's workflow id, and those the suite caused. */
  runs: { found: string[]; known: string[] };
  /** Executions of the payment's release claim workflow. */
  claims: number;
}

async function sagaFacts(env: ReliabilityEnvironment, orderId: string) {
  const handle = env.client.workflow.getHandle(workflowIdFor(orderId));
  let described: WorkflowExecutionDescription;
  try {
    described = await handle.describe();
  } catch {
    return undefined;
  }
  const status = described.status.name as string;
  const progress =
    status === 'RUNNING' ? await handle.query<SagaProgress>(PROGRESS_QUERY) : undefined;
  return {
    status,
    runnerId: described.typedSearchAttributes.get(RUNNER_ID_ATTRIBUTE),
    sagaState: described.typedSearchAttributes.get(SAGA_STATE_ATTRIBUTE),
    progress,
  };
}

async function runsOf(env: ReliabilityEnvironment, orderId: string): Promise<string[]> {
  const found: string[] = [];
  const query = `WorkflowId = '${workflowIdFor(orderId)}'`;
  for await (const run of env.client.workflow.list({ query })) found.push(run.runId);
  return found;
}

export async function gatherFacts(env: ReliabilityEnvironment, orderId: string) {
  const { state } = env.sandbox;
  const order = state.orders.get(orderId);
  const payment = state.paymentForOrder(orderId);
  const of = (kind: LedgerEntry['kind']) => state.entries(kind, orderId);
  const claims = payment
    ? (await env.client.workflow.count(`WorkflowId = '${releaseClaimIdFor(payment.paymentId)}'`))
        .count
    : 0;
  const facts: OrderFacts = {
    orderId,
    order: order && { status: order.orderStatus, runnerId: order.runnerId },
    payment: payment && {
      paymentId: payment.paymentId,
      status: payment.status,
      transferId: payment.transferId,
    },
    releases: of('release-request'),
    transfers: of('transfer'),
    revertRequests: of('revert-request'),
    refunds: of('refund'),
    cancellations: of('status-change').filter((e) => e.detail === 'CANCELLED'),
    supportChanges: env.supportChanges.get(orderId) ?? [],
    saga: await sagaFacts(env, orderId),
    runs: { found: await runsOf(env, orderId), known: [...(env.runs.get(orderId) ?? [])] },
    claims,
  };
  return facts;
}
