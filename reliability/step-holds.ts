/**
 * Holding one saga at one step, among many running: faults keyed to its order, payment or
 * runner, armed before the trigger (or at a ledger entry of its own), and a progress query
 * that says when the saga is there.
 */
import type { SagaProgress, SagaStep } from '../common/workflow-safe/saga-contract';
import type { InjectedFault, LedgerEntry, Route, SeededOrder } from '../sandbox';
import type { ReliabilityEnvironment } from './environment';
import { nextLedger, sagaHandle, untilRun, within } from './helpers';

/** A saga being held: resolves true once it is at the point; `lift` lets it go on. */
export interface Armed {
  reached(): Promise<boolean>;
  lift(): void;
  /**
   * Lift only once the saga settled (ended or parked): a release request already on its
   * way when the saga was interrupted or the order changed must still be refused. Queued
   * after the fact, it would test the window between the saga's last check and its send,
   * which no check can close, rather than what the scenario is about.
   */
  liftLast?: boolean;
}

type KeyKind = 'orderId' | 'paymentId' | 'runnerId';

/** A request that hangs past the worker's HTTP timeout and is then dropped, unprocessed. */
const HANG = { delayMs: 2_500, drop: true, times: Number.POSITIVE_INFINITY };

async function reachedWhen(
  env: ReliabilityEnvironment,
  seeded: SeededOrder,
  ready: (p: SagaProgress) => boolean,
): Promise<boolean> {
  const view = await untilRun(sagaHandle(env, seeded.orderId), ready);
  return view?.progress !== undefined && ready(view.progress);
}

/**
 * Hangs `route` for this saga (from its ledger entry `from`, if given: armed synchronously,
 * before the saga can see that entry) and waits for `step`.
 */
export function atStep(route: Route, step: SagaStep, key: KeyKind, from?: LedgerEntry['kind']) {
  return (env: ReliabilityEnvironment, seeded: SeededOrder): Armed => {
    let held: InjectedFault | undefined;
    let lifted = false;
    const arm = () => {
      if (!lifted) held = env.sandbox.faults.inject({ route, key: seeded[key], ...HANG });
    };
    const armedAt = from
      ? nextLedger(env, from, { orderId: seeded.orderId, onEntry: arm })
      : Promise.resolve(arm());
    return {
      reached: async () =>
        (await within(armedAt, 60_000)) && reachedWhen(env, seeded, (p) => p.currentStep === step),
      lift: () => {
        lifted = true;
        held?.remove();
      },
    };
  };
}

/** Holds the saga at `first`, then moves the hold so that it stops at `second`. */
export function holdThen(first: Route, firstStep: SagaStep, second: Route, secondStep: SagaStep) {
  return (env: ReliabilityEnvironment, seeded: SeededOrder): Armed => {
    const firstHold = env.sandbox.faults.inject({ route: first, key: seeded.orderId, ...HANG });
    let secondHold: InjectedFault | undefined;
    return {
      reached: async () => {
        if (!(await reachedWhen(env, seeded, (p) => p.currentStep === firstStep))) return false;
        secondHold = env.sandbox.faults.inject({ route: second, key: seeded.orderId, ...HANG });
        firstHold.remove();
        return reachedWhen(env, seeded, (p) => p.currentStep === secondStep);
      },
      lift: () => {
        firstHold.remove();
        secondHold?.remove();
      },
    };
  };
}

/** Optionally a fault that answers `status` to this saga's requests; waits until `ready`. */
export function whenAt(
  fault: { route: Route; key: KeyKind; status: number } | undefined,
  ready: (p: SagaProgress) => boolean,
) {
  return (env: ReliabilityEnvironment, seeded: SeededOrder): Armed => {
    const injected =
      fault &&
      env.sandbox.faults.inject({
        route: fault.route,
        key: seeded[fault.key],
        status: fault.status,
        times: Number.POSITIVE_INFINITY,
      });
    return {
      reached: () => reachedWhen(env, seeded, ready),
      lift: () => injected?.remove(),
      liftLast: injected !== undefined,
    };
  };
}

/** The runner has no Connect account: the saga waits; `lift` is the runner onboarding. */
export function onboarding(env: ReliabilityEnvironment, seeded: SeededOrder): Armed {
  return {
    reached: () =>
      reachedWhen(env, seeded, (p) => p.waitingFor === 'runner Stripe Connect onboarding'),
    lift: () => {
      const account = `acct_late${seeded.paymentId.replaceAll('-', '').slice(0, 12)}`;
      env.sandbox.state.connectAccounts.set(seeded.runnerId, account);
    },
  };
}

/** The release is queued, its reply held past the worker's HTTP timeout: in flight. */
export function replyInFlight(env: ReliabilityEnvironment, seeded: SeededOrder): Armed {
  const reply = env.sandbox.faults.inject({
    route: 'release',
    key: seeded.paymentId,
    afterProcessing: true,
    delayMs: 10_000,
  });
  const queued = nextLedger(env, 'release-request', { orderId: seeded.orderId });
  return { reached: () => within(queued, 60_000), lift: () => reply.remove() };
}
