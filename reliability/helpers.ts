/**
 * What every scenario uses: triggering over HTTP as the mobile backend does, waiting on
 * ledger events and on a saga's progress (never on a guessed duration), and the summary row.
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import { PROGRESS_QUERY, workflowIdFor } from '../common/workflow-safe/names';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import type { LedgerEntry, SeedOptions } from '../sandbox';
import type { ReliabilityEnvironment } from './environment';
import { type OrderVerdict, OUTCOME_LABELS } from './invariants';

export interface ScenarioResult {
  scenario: string;
  orders: number;
  faults: string;
  outcomes: string;
  violations: string[];
  seconds: number;
}

export function summarize(
  verdicts: OrderVerdict[],
): Pick<ScenarioResult, 'outcomes' | 'violations'> {
  const counts = new Map<string, number>();
  for (const v of verdicts) counts.set(v.outcome, (counts.get(v.outcome) ?? 0) + 1);
  const outcomes = Object.entries(OUTCOME_LABELS)
    .filter(([outcome]) => counts.has(outcome))
    .map(([outcome, label]) => `${counts.get(outcome)} ${label}`);
  return {
    outcomes: outcomes.join(', '),
    violations: verdicts.flatMap((v) => v.violations.map((x) => `${v.orderId}: ${x}`)),
  };
}

export async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const value = await run();
  return [value, Math.round((Date.now() - started) / 100) / 10];
}

/** Triggers answered 503 and retried after Retry-After, as a well-behaved caller does. */
export const retried = { count: 0 };

/** Triggers like the mobile backend: a 503 is retried after its Retry-After (the trigger is idempotent). */
export async function triggerUntilAccepted(env: ReliabilityEnvironment, body: unknown) {
  for (let attempt = 1; ; attempt++) {
    const reply = await env.trigger(body);
    if (reply.status !== 503 || attempt >= 40) return reply;
    retried.count += 1;
    // Jitter spreads the retries of a burst instead of replaying it every Retry-After.
    const waitMs = (reply.retryAfter || 1) * 1000 * (0.2 + Math.random());
    await delay(waitMs);
  }
}

/** Triggers the saga of an order already seeded; throws unless the API accepted it. */
export async function triggerOrder(env: ReliabilityEnvironment, orderId: string, runnerId: string) {
  const reply = await triggerUntilAccepted(env, { order_id: orderId, clerk_user_id: runnerId });
  if (reply.status !== 200) throw new Error(`trigger refused: ${JSON.stringify(reply)}`);
  return reply.json as { message: string; run_id: string };
}

/** Seeds `n` orders and triggers each through the HTTP API; returns their ids. */
export async function triggerOrders(
  env: ReliabilityEnvironment,
  n: number,
  seed: SeedOptions = {},
): Promise<string[]> {
  const seeded = Array.from({ length: n }, () => env.sandbox.state.seedOrder(seed));
  await Promise.all(seeded.map((s) => triggerOrder(env, s.orderId, s.runnerId)));
  return seeded.map((s) => s.orderId);
}

/**
 * Resolves at the next ledger entry of `kind` (for `orderId`, if given) after `after` such
 * entries; `onEntry` runs synchronously when it is recorded, before the saga can see it.
 */
export function nextLedger(
  env: ReliabilityEnvironment,
  kind: LedgerEntry['kind'],
  options: { orderId?: string; after?: number; onEntry?: (entry: LedgerEntry) => void } = {},
): Promise<LedgerEntry> {
  const { state } = env.sandbox;
  return new Promise((resolve) => {
    let seen = 0;
    const listener = (entry: LedgerEntry) => {
      if (entry.kind !== kind || (options.orderId && entry.orderId !== options.orderId)) return;
      if (++seen <= (options.after ?? 0)) return;
      state.off('ledger', listener);
      options.onEntry?.(entry);
      resolve(entry);
    };
    state.on('ledger', listener);
  });
}

/** True once `event` resolved, false after `ms` (a bound, not a synchronisation). */
export async function within(event: Promise<unknown>, ms: number): Promise<boolean> {
  const bound = new AbortController();
  try {
    return await Promise.race([event.then(() => true), delay(ms, false, { signal: bound.signal })]);
  } finally {
    bound.abort();
  }
}

export function sagaHandle(env: ReliabilityEnvironment, orderId: string, runId?: string) {
  return env.client.workflow.getHandle(workflowIdFor(orderId), runId);
}

export type RunView =
  | { status: 'RUNNING'; runId: string; progress: SagaProgress }
  | { status: string; runId: string; progress?: undefined };

/** The run's status and, while it runs, its progress (the saga's own query). */
export async function viewRun(handle: WorkflowHandle): Promise<RunView> {
  const described = await handle.describe();
  const status = described.status.name as string;
  if (status !== 'RUNNING') return { status, runId: described.runId };
  const progress = await handle.query<SagaProgress>(PROGRESS_QUERY);
  return { status: 'RUNNING', runId: described.runId, progress };
}

/**
 * Polls the run with backoff until `ready` holds for its progress or it is no longer
 * running; undefined when `timeoutMs` passed first.
 */
export async function untilRun(
  handle: WorkflowHandle,
  ready: (progress: SagaProgress) => boolean,
  timeoutMs = 60_000,
): Promise<RunView | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (let waitMs = 50; Date.now() < deadline; waitMs = Math.min(waitMs * 2, 1_000)) {
    const view = await viewRun(handle).catch(() => undefined);
    if (view && (view.status !== 'RUNNING' || (view.progress && ready(view.progress)))) return view;
    await delay(Math.min(waitMs, Math.max(0, deadline - Date.now())));
  }
  return undefined;
}

export const isWaitingForSettlement = (p: SagaProgress) => p.waitingFor === 'payment settlement';
export const isRetryingNotQueued = (p: SagaProgress) =>
  p.waitingFor?.startsWith('payment service to accept the release') === true;
