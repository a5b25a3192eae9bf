/** `ops list`: the sagas that wait for an operator, with what each allows. */
import type { Client, WorkflowExecutionInfo } from '@temporalio/client';
import { WORKFLOW_ID_PREFIX } from '../common/workflow-safe/names';
import { type ParkedState, SagaState } from '../common/workflow-safe/operator';
import { ORDER_ID_ATTRIBUTE } from '../common/workflow-safe/search-attributes';
import { cliAction } from './args';
import { progressOf, withReadDeadline } from './temporal';

/** The operators' saved view in the Temporal UI uses the same query. */
export const PARKED_SAGAS_QUERY = `SagaState = "${SagaState.needsOperator}" AND ExecutionStatus = "Running"`;

export interface ParkedSaga {
  orderId: string;
  workflowId: string;
  runId: string;
  /** Null when the progress query did not answer (see `progressError`). */
  parked: ParkedState | null;
  progressError?: string;
}

/** Progress queries in flight at once: enough to be quick, few enough for a small server. */
const CONCURRENCY = 8;

async function runningParked(client: Client): Promise<WorkflowExecutionInfo[]> {
  const found: WorkflowExecutionInfo[] = [];
  await withReadDeadline(client, async () => {
    for await (const info of client.workflow.list({ query: PARKED_SAGAS_QUERY })) found.push(info);
  });
  return found;
}

async function withProgress(client: Client, info: WorkflowExecutionInfo) {
  const orderId =
    info.typedSearchAttributes.get(ORDER_ID_ATTRIBUTE) ??
    info.workflowId.slice(WORKFLOW_ID_PREFIX.length);
  const base = { orderId, workflowId: info.workflowId, runId: info.runId };
  const read = await progressOf(client, orderId);
  if ('error' in read) return { ...base, parked: null, progressError: read.error };
  return { ...base, parked: read.progress.parked ?? null };
}

export async function listParked(client: Client): Promise<ParkedSaga[]> {
  const infos = await runningParked(client);
  const sagas: ParkedSaga[] = [];
  for (let i = 0; i < infos.length; i += CONCURRENCY) {
    const batch = infos.slice(i, i + CONCURRENCY);
    sagas.push(...(await Promise.all(batch.map((info) => withProgress(client, info)))));
  }
  // Visibility lags the saga: one that resumed a moment ago may still be listed. The
  // progress query is the saga's own word, so a saga that says it is not parked is left out.
  return sagas.filter((saga) => saga.parked !== null || saga.progressError !== undefined);
}

export function formatParked(sagas: ParkedSaga[]): string {
  if (sagas.length === 0) return 'No saga waits for an operator.\n';
  const lines = sagas.map((saga) => {
    if (!saga.parked) return `${saga.orderId}  (progress unavailable: ${saga.progressError})`;
    const { reason, since, allowed, message } = saga.parked;
    const actions = allowed.map(cliAction).join(', ');
    return `${saga.orderId}  ${reason}  since ${since}  allowed: ${actions}\n    ${message}`;
  });
  const count =
    sagas.length === 1
      ? '1 saga waits for an operator:'
      : `${sagas.length} sagas wait for an operator:`;
  return `${count}\n${lines.join('\n')}\n`;
}
