/**
 * Everything the invariants look at for one order, read from the sandbox ledger and state
 * (what really moved) and from the Temporal server (what the sagas say).
 */
import {
  ApplicationFailure,
  type Client,
  type WorkflowExecutionDescription,
  WorkflowFailedError,
} from '@temporalio/client';
import { PROGRESS_QUERY, releaseClaimIdFor, workflowIdFor } from '../common/workflow-safe/names';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import {
  RUNNER_ID_ATTRIBUTE,
  SAGA_STATE_ATTRIBUTE,
} from '../common/workflow-safe/search-attributes';
import type { LedgerEntry, Sandbox } from '../sandbox';
import type { SupportChange } from './environment';

/** An operator decision a saga accepted, placed on the ledger's sequence. */
export interface DecisionFact {
  action: string;
  /** Ledger position when the decision was sent (before the saga checked it). */
  sentAtSeq: number;
  /** Ledger position when the saga's acceptance came back. */
  acceptedAtSeq: number;
}

/** Where the facts come from: the reliability suite's environment, or the explorer's. */
export interface FactSource {
  client: Client;
  sandbox: Sandbox;
  supportChanges: ReadonlyMap<string, SupportChange[]>;
  runs: ReadonlyMap<string, Set<string>>;
  /** Operator decisions accepted per order (none in the reliability suite). */
  decisions?: ReadonlyMap<string, DecisionFact[]>;
}

/** How a FAILED saga reported its failure. */
export interface FailureFact {
  /** The failure's type; null when it was not an ApplicationFailure the saga raised. */
  type: string | null;
  /** The Temporal class of the failure (ApplicationFailure, ActivityFailure...). */
  kind: string;
  message: string;
}

export interface SagaFacts {
  /** Temporal's status of the latest run. */
  status: string;
  runnerId: string | undefined;
  /** The `SagaState` search attribute. */
  sagaState: string | undefined;
  /** The saga's progress query, while it runs. */
  progress: SagaProgress | undefined;
  /** The failure of a FAILED run, as the API would show it. */
  failure?: FailureFact;
}

export interface OrderFacts {
  orderId: string;
  order: { status: string; runnerId: string | null } | undefined;
  payment:
    | { paymentId: string; status: string; transferId: string | null; runnerId: string | null }
    | undefined;
  /** Releases the Payment Service queued (only those: a refused one is not recorded). */
  releases: LedgerEntry[];
  transfers: LedgerEntry[];
  revertRequests: LedgerEntry[];
  refunds: LedgerEntry[];
  /** Reverts applied to a payment without a transfer. */
  reverts: LedgerEntry[];
  /** CANCELLED status writes, by anyone. */
  cancellations: LedgerEntry[];
  supportChanges: SupportChange[];
  saga: SagaFacts | undefined;
  /** Run ids Temporal holds for the order's workflow id, and those the suite caused. */
  runs: { found: string[]; known: string[] };
  /** Executions of the payment's release claim workflow. */
  claims: number;
  /** Failed settlements of queued releases. */
  releaseFailures: LedgerEntry[];
  /** Status writes by anyone (the saga's and support's). */
  statusChanges: LedgerEntry[];
  /** Operator decisions the saga accepted. */
  decisions: DecisionFact[];
}

async function failureOf(env: FactSource, orderId: string): Promise<FailureFact> {
  try {
    await env.client.workflow.getHandle(workflowIdFor(orderId)).result();
    return { type: null, kind: 'none', message: 'the run did not fail' };
  } catch (error) {
    const cause = error instanceof WorkflowFailedError ? error.cause : error;
    const kind = cause instanceof Error ? cause.constructor.name : typeof cause;
    const message = cause instanceof Error ? cause.message : String(cause);
    const type = cause instanceof ApplicationFailure ? (cause.type ?? null) : null;
    return { type, kind, message };
  }
}

async function sagaFacts(env: FactSource, orderId: string) {
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
    ...(status === 'FAILED' ? { failure: await failureOf(env, orderId) } : {}),
  };
}

async function runsOf(env: FactSource, orderId: string): Promise<string[]> {
  const found: string[] = [];
  const query = `WorkflowId = '${workflowIdFor(orderId)}'`;
  for await (const run of env.client.workflow.list({ query })) found.push(run.runId);
  return found;
}

export async function gatherFacts(env: FactSource, orderId: string) {
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
      runnerId: payment.runnerId,
    },
    releases: of('release-request'),
    transfers: of('transfer'),
    revertRequests: of('revert-request'),
    refunds: of('refund'),
    reverts: of('revert'),
    cancellations: of('status-change').filter((e) => e.detail === 'CANCELLED'),
    supportChanges: env.supportChanges.get(orderId) ?? [],
    saga: await sagaFacts(env, orderId),
    runs: { found: await runsOf(env, orderId), known: [...(env.runs.get(orderId) ?? [])] },
    claims,
    releaseFailures: of('release-failed'),
    statusChanges: of('status-change'),
    decisions: env.decisions?.get(orderId) ?? [],
  };
  return facts;
}
