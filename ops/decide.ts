/**
 * `ops decide`: sends an operator's decision to a parked saga. Checked here first against
 * the saga's parked state (same rules as its validator), then the saga re-reads the payment
 * and may still refuse: that answer is final, printed, and leaves the saga waiting.
 */
import { ActivityFailure, type Client, WorkflowUpdateFailedError } from '@temporalio/client';
import {
  DECIDE_UPDATE,
  type DecisionRecord,
  describeInvalidDecision,
  type OperatorDecision,
} from '../common/workflow-safe/operator';
import { cliAction } from './args';
import { DecisionRefusedError, OpsError } from './errors';
import { describeSaga, progressOf, sagaHandle } from './temporal';

/** Long enough for the saga to re-read the payment through a slow Payment Service. */
const UPDATE_TIMEOUT_MS = 60_000;

export async function decide(
  client: Client,
  orderId: string,
  decision: OperatorDecision,
): Promise<DecisionRecord> {
  const { runId } = await describeSaga(client, orderId);
  const read = await progressOf(client, orderId, runId);
  if ('error' in read) {
    throw new OpsError(`cannot read the saga's progress (is a worker running?): ${read.error}`);
  }
  const problem = describeInvalidDecision(decision, read.progress.parked ?? null);
  if (problem) throw new DecisionRefusedError(`refused, nothing was sent: ${problem}`);
  const handle = sagaHandle(client, orderId, runId);
  const signal = AbortSignal.timeout(UPDATE_TIMEOUT_MS);
  try {
    return await client.withAbortSignal(signal, () =>
      handle.executeUpdate<DecisionRecord, [OperatorDecision]>(DECIDE_UPDATE, {
        args: [decision],
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw updateFailure(error);
    if (signal.aborted) {
      throw new OpsError(
        `no answer from the saga within ${UPDATE_TIMEOUT_MS / 1000} s (is a worker running?); ` +
          'the decision may still be applied when one picks it up: check with `show`',
      );
    }
    throw error;
  }
}

function rootMessage(error: Error): string {
  let root = error;
  while (root.cause instanceof Error) root = root.cause;
  return root.message;
}

/**
 * A refusal is the saga's answer about the decision; an activity failure means it could
 * not re-read the payment (e.g. the Payment Service is down): try again later.
 */
function updateFailure(error: WorkflowUpdateFailedError): OpsError {
  if (error.cause instanceof ActivityFailure) {
    return new OpsError(
      `the saga could not check the decision and still waits; try again later: ${rootMessage(error.cause)}`,
    );
  }
  return new DecisionRefusedError(`refused by the saga: ${error.cause?.message ?? error.message}`);
}

export function formatDecision(orderId: string, record: DecisionRecord): string {
  const transfer = record.transferId ? `\n  transfer: ${record.transferId}` : '';
  return (
    `Decision recorded for order ${orderId}: ${cliAction(record.action)}\n` +
    `  by ${record.operator} at ${record.decidedAt} (parked for ${record.parkedReason})\n` +
    `  reason: ${record.reason}${transfer}\n` +
    `The saga continues; follow it with: npm run ops -- show ${orderId}\n`
  );
}
