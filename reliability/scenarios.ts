/**
 * The reliability scenarios. Each triggers real sagas, injects its faults, waits for the
 * sagas to end, and returns one row of the summary with every invariant violation found.
 */
import type { Fault, Route } from '../sandbox';
import type { ReliabilityEnvironment } from './environment';
import { judge, type OrderVerdict } from './invariants';

export interface ScenarioResult {
  scenario: string;
  orders: number;
  faults: string;
  outcomes: string;
  violations: string[];
  seconds: number;
}

function summarize(verdicts: OrderVerdict[]): Pick<ScenarioResult, 'outcomes' | 'violations'> {
  const counts = new Map<string, number>();
  for (const v of verdicts) counts.set(v.outcome, (counts.get(v.outcome) ?? 0) + 1);
  return {
    outcomes: [...counts].map(([k, n]) => `${n} ${k}`).join(', '),
    violations: verdicts.flatMap((v) => v.violations.map((x) => `${v.orderId}: ${x}`)),
  };
}

/** Triggers answered 503 and retried after Retry-After, as a well-behaved caller does. */
export const retried = { count: 0 };

/** Triggers like the mobile backend: a 503 is retried after its Retry-After (the trigger is idempotent). */
async function triggerUntilAccepted(env: ReliabilityEnvironment, body: unknown) {
  for (let attempt = 1; ; attempt++) {
    const reply = await env.trigger(body);
    if (reply.status !== 503 || attempt >= 40) return reply;
    retried.count += 1;
    // Jitter spreads the retries of a burst instead of replaying it every Retry-After.
    const waitMs = (reply.retryAfter || 1) * 1000 * (0.2 + Math.random());
    await new Promise((resolve) => setTimeout(resolve, waitMs));
  }
}

/** Seeds `n` orders and triggers each through the HTTP API; returns their ids. */
async function triggerOrders(env: ReliabilityEnvironment, n: number, seed = {}): Promise<string[]> {
  const seeded = Array.from({ length: n }, () => env.sandbox.state.seedOrder(seed));
  const replies = await Promise.all(
    seeded.map((s) =>
      triggerUntilAccepted(env, { order_id: s.orderId, clerk_user_id: s.runnerId }),
    ),
  );
  const refused = replies.filter((r) => r.status !== 200);
  if (refused.length > 0)
    throw new Error(`${refused.length} triggers refused: ${JSON.stringify(refused[0])}`);
  return seeded.map((s) => s.orderId);
}

function nextLedger(env: ReliabilityEnvironment, kind: string, after = 0): Promise<void> {
  return new Promise((resolve) => {
    let seen = 0;
    const listener = (entry: { kind: string }) => {
      if (entry.kind !== kind || ++seen <= after) return;
      env.sandbox.state.off('ledger', listener);
      resolve();
    };
    env.sandbox.state.on('ledger', listener);
  });
}

async function timed<T>(run: () => Promise<T>): Promise<[T, number]> {
  const started = Date.now();
  const value = await run();
  return [value, Math.round((Date.now() - started) / 100) / 10];
}

export async function workerCrashes(env: ReliabilityEnvironment, n = 30): Promise<ScenarioResult> {
  const [verdicts, seconds] = await timed(async () => {
    // One release reply held for a minute: the worker dies while that request is in flight.
    env.sandbox.faults.inject({ route: 'release', afterProcessing: true, delayMs: 60_000 });
    const ids = await triggerOrders(env, n);
    const killPoints = [
      nextLedger(env, 'release-request'),
      nextLedger(env, 'transfer', 5),
      nextLedger(env, 'release-request', 15),
    ];
    for (const point of killPoints) {
      await point;
      await env.killWorker();
      await env.startWorker();
    }
    return judge(env, ids, 180_000);
  });
  env.sandbox.faults.clear();
  return {
    scenario: 'worker SIGKILL x3 (one with a release in flight)',
    orders: n,
    faults: '3 kills',
    ...summarize(verdicts),
    seconds,
  };
}

export async function serverRestart(env: ReliabilityEnvironment, n = 30): Promise<ScenarioResult> {
  const [verdicts, seconds] = await timed(async () => {
    env.sandbox.state.settleDelayMs = 1_000;
    const ids = await triggerOrders(env, n);
    await Promise.race([
      nextLedger(env, 'release-request', 5),
      new Promise((resolve) => setTimeout(resolve, 15_000)),
    ]);
    await env.restartServer();
    const verdicts = await judge(env, ids, 240_000);
    env.sandbox.state.settleDelayMs = 20;
    return verdicts;
  });
  return {
    scenario: 'Temporal server restart mid-sagas',
    orders: n,
    faults: '1 restart',
    ...summarize(verdicts),
    seconds,
  };
}

const ROUTES: Route[] = [
  'getOrderDetails',
  'updateOrderStatus',
  'connectAccount',
  'paymentStatus',
  'release',
  'revert',
];
const KINDS: Array<[string, Omit<Fault, 'route'>]> = [
  ['500', { status: 500 }],
  ['503', { status: 503 }],
  ['429', { status: 429 }],
  ['hang', { delayMs: 3_000 }],
  ['drop', { drop: true }],
  ['late reply', { delayMs: 3_000, afterProcessing: true }],
];

export async function downstreamFaults(
  env: ReliabilityEnvironment,
  rate: number,
  n = 30,
): Promise<ScenarioResult> {
  const [verdicts, seconds] = await timed(async () => {
    // Each route gets every kind of fault, together at `rate` of its requests.
    for (const route of ROUTES) {
      for (const [, fault] of KINDS) {
        env.sandbox.faults.inject({
          route,
          ...fault,
          probability: rate / KINDS.length,
          times: Number.POSITIVE_INFINITY,
        });
      }
    }
    const failing = Math.round(n * 0.2);
    const ids = [
      ...(await triggerOrders(env, n - failing)),
      ...(await triggerOrders(env, failing, { settlementFails: true })),
    ];
    const verdicts = await judge(env, ids, 300_000);
    env.sandbox.faults.clear();
    return verdicts;
  });
  const faults = `${Math.round(rate * 100)}% of requests (${KINDS.map(([k]) => k).join('/')}), 20% settlements FAILED`;
  return {
    scenario: `downstream faults at ${Math.round(rate * 100)}%`,
    orders: n,
    faults,
    ...summarize(verdicts),
    seconds,
  };
}

export async function duplicates(env: ReliabilityEnvironment): Promise<ScenarioResult> {
  const [result, seconds] = await timed(async () => {
    const seeded = env.sandbox.state.seedOrder();
    const body = { order_id: seeded.orderId, runner_id: seeded.runnerId };
    const first = await Promise.all(Array.from({ length: 50 }, () => env.trigger(body)));
    const verdicts = await judge(env, [seeded.orderId], 60_000);
    const again = await Promise.all(Array.from({ length: 10 }, () => env.trigger(body)));
    const runIds = new Set([...first, ...again].map((r) => (r.json as { run_id?: string }).run_id));
    const extra = runIds.size === 1 ? [] : [`${runIds.size} distinct runs answered`];
    const summary = summarize(verdicts);
    return { ...summary, violations: [...summary.violations, ...extra] };
  });
  return {
    scenario: 'same order triggered 50x concurrently, then 10x after completion',
    orders: 1,
    faults: '60 triggers',
    ...result,
    seconds,
  };
}

export async function load(env: ReliabilityEnvironment, n = 500): Promise<ScenarioResult> {
  retried.count = 0;
  const [verdicts, seconds] = await timed(async () =>
    judge(env, await triggerOrders(env, n), 300_000),
  );
  const summary = summarize(verdicts);
  return {
    scenario: `load: ${n} orders triggered concurrently over HTTP`,
    orders: n,
    faults: 'none (the server itself is the limit)',
    outcomes: `${summary.outcomes}; ${retried.count} triggers answered 503 + Retry-After and were retried`,
    violations: summary.violations,
    seconds,
  };
}
