/**
 * The ops command's Temporal client, configured exactly like the worker's, and the reads
 * every command shares. Each read has a deadline: a saga whose worker is down must not
 * hang an operator's terminal.
 */
import { Client, Connection, WorkflowNotFoundError } from '@temporalio/client';
import { temporalConnection } from '../common/temporal-config';
import { PROGRESS_QUERY, workflowIdFor } from '../common/workflow-safe/names';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import { OpsError } from './errors';

/** How long one read (describe, query, list page) may take. */
export const READ_DEADLINE_MS = 10_000;

export async function connect(env: Record<string, string | undefined>): Promise<Client> {
  const { connectionOptions, namespace } = temporalConnection(env);
  const connection = await Connection.connect({
    ...connectionOptions,
    connectTimeout: READ_DEADLINE_MS,
  }).catch((error: unknown) => {
    const address = connectionOptions.address ?? '(no address)';
    throw new OpsError(`cannot reach Temporal at ${address}: ${String(error)}`);
  });
  return new Client({ connection, namespace });
}

export function withReadDeadline<T>(client: Client, read: () => Promise<T>): Promise<T> {
  return client.withDeadline(Date.now() + READ_DEADLINE_MS, read);
}

/**
 * The order's saga, found by the one workflow id per order; with `runId`, exactly the run
 * the operator looked at, never a newer one started meanwhile.
 */
export function sagaHandle(client: Client, orderId: string, runId?: string) {
  return client.workflow.getHandle(workflowIdFor(orderId), runId);
}

export async function describeSaga(client: Client, orderId: string) {
  const handle = sagaHandle(client, orderId);
  try {
    return await withReadDeadline(client, () => handle.describe());
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) {
      throw new OpsError(`no saga for order ${orderId} (workflow id ${handle.workflowId})`);
    }
    throw error;
  }
}

/** The saga's progress, or the reason it could not be read (e.g. no worker answers). */
export async function progressOf(
  client: Client,
  orderId: string,
  runId?: string,
): Promise<{ progress: SagaProgress } | { error: string }> {
  const handle = sagaHandle(client, orderId, runId);
  try {
    const progress = await withReadDeadline(client, () =>
      handle.query<SagaProgress>(PROGRESS_QUERY),
    );
    return { progress };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}
