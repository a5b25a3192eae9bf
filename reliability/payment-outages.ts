/**
 * The Payment Service misbehaving at the pivot: a long outage (503 KAFKA_ERROR, definitely
 * not queued: re-sent until it ends) and publish errors (500 KAFKA_PUBLISH_ERROR, which may
 * come after the release was queued: never re-sent, only confirmed).
 */
import { setTimeout as delay } from 'node:timers/promises';
import type { ReliabilityEnvironment } from './environment';
import {
  isWaitingForSettlement,
  nextLedger,
  type ScenarioResult,
  sagaHandle,
  summarize,
  timed,
  triggerOrder,
  triggerOrders,
  untilRun,
  within,
} from './helpers';
import { judge } from './judge';

/** Every release answered 503 KAFKA_ERROR for `outageMs` (the old saga gave up after ~15 s). */
export async function longOutage(
  env: ReliabilityEnvironment,
  n = 20,
  outageMs = 45_000,
): Promise<ScenarioResult> {
  const outage = env.sandbox.faults.inject({
    route: 'release',
    status: 503,
    times: Number.POSITIVE_INFINITY,
  });
  const [verdicts, seconds] = await timed(async () => {
    const ids = await triggerOrders(env, n);
    // The outage's length is the fault injected, not a wait for the sagas.
    await delay(outageMs);
    outage.remove();
    return judge(env, ids, 180_000);
  });
  const summary = summarize(verdicts);
  const notPaid = verdicts.filter((v) => v.outcome !== 'paid');
  return {
    scenario: `Payment Service outage: every release answered 503 KAFKA_ERROR for ${outageMs / 1000} s`,
    orders: n,
    faults: `${outage.hits} releases refused with 503 (${(outage.hits / n).toFixed(1)} per saga)`,
    outcomes: summary.outcomes,
    violations: [
      ...summary.violations,
      ...notPaid.map((v) => `${v.orderId}: expected paid after the outage, got ${v.outcome}`),
    ],
    seconds,
  };
}

/**
 * Releases answered 500 KAFKA_PUBLISH_ERROR: `queuedFirst` of them after the service queued
 * the release (the sandbox holds the settlement until every saga is confirming, so a
 * re-send would show), the rest before (nothing queued, which no saga can know: they park).
 */
export async function publishErrors(
  env: ReliabilityEnvironment,
  queuedFirst = 15,
  notQueued = 5,
): Promise<ScenarioResult> {
  const { state, faults } = env.sandbox;
  const [[ids, verdicts], seconds] = await timed(async () => {
    state.holdQueue = true;
    const seeded = Array.from({ length: queuedFirst + notQueued }, () => state.seedOrder());
    seeded.forEach((s, i) => {
      const afterProcessing = i < queuedFirst;
      faults.inject({ route: 'release', key: s.paymentId, status: 500, afterProcessing });
    });
    const queued = seeded
      .slice(0, queuedFirst)
      .map((s) => nextLedger(env, 'release-request', { orderId: s.orderId }));
    await Promise.all(seeded.map((s) => triggerOrder(env, s.orderId, s.runnerId)));
    if (!(await within(Promise.all(queued), 60_000))) throw new Error('releases never queued');
    await Promise.all(
      seeded.map((s) => untilRun(sagaHandle(env, s.orderId), isWaitingForSettlement)),
    );
    state.holdQueue = false;
    state.settleHeld();
    const ids = seeded.map((s) => s.orderId);
    return [ids, await judge(env, ids, 120_000)] as const;
  });
  const summary = summarize(verdicts);
  const unexpected = verdicts.flatMap((v, i) => {
    const expected = i < queuedFirst ? 'paid' : 'parked';
    return v.outcome === expected ? [] : [`${v.orderId}: expected ${expected}, got ${v.outcome}`];
  });
  return {
    scenario: 'publish errors: releases answered 500 KAFKA_PUBLISH_ERROR',
    orders: ids.length,
    faults: `${queuedFirst} answered 500 after being queued (settlement held until all confirm), ${notQueued} answered 500 before`,
    outcomes: summary.outcomes,
    violations: [...summary.violations, ...unexpected],
    seconds,
  };
}
