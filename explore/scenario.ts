/**
 * A scenario is data: one order's seed, the saga's settings, the answers the services give
 * to each of its requests, how its queued payment commands settle, and events tied to
 * points in the saga's life (never to wall time). `generate` draws one from a seed.
 */
import type { OrderStatus } from '../common/workflow-safe/contracts';
import type { SagaStep } from '../common/workflow-safe/saga-contract';
import type { SagaSettings } from '../common/workflow-safe/saga-settings';
import type { CommandKind, LedgerEntry, Route, SettlementMode } from '../sandbox';
import { type Rng, scenarioRng } from './rng';

/** What one request is answered with (`after:`: processed, then the reply is lost, late or wrong). */
export type AnswerClass =
  | 'normal'
  | '400'
  | '404'
  | '409'
  | '422'
  | '500'
  | '503'
  | 'timeout'
  | 'drop'
  | 'slow'
  | 'after:lost'
  | 'after:late'
  | 'after:409'
  | 'after:422'
  | 'after:500';

export type SeededPayment =
  | 'AUTHORIZED'
  | 'SUCCEEDED_OURS'
  | 'SUCCEEDED_OTHER'
  | 'SUCCEEDED_NO_TRANSFER'
  | 'FAILED'
  | 'REVERTED';

export type Point =
  | { on: 'start' }
  /** The n-th request of `route` for this order arrives (the action runs while it is in flight). */
  | { on: 'request'; route: Route; n: number }
  /** The n-th ledger entry of `kind` for this order is recorded. */
  | { on: 'ledger'; kind: LedgerEntry['kind']; n: number }
  /** The saga parks (each such point takes one park). */
  | { on: 'parked' }
  /** The saga's progress shows `step` as its current step. */
  | { on: 'step'; step: SagaStep };

export type DecideMode = 'plain' | 'twice' | 'stale' | 'raceRecheck';

export type Action =
  | { do: 'cancel' }
  /** Terminate the current run, then start the saga again as the API does. */
  | { do: 'terminate' }
  /** Reset the current run to its workflow task at this fraction of its history. */
  | { do: 'reset'; at: number }
  | { do: 'killWorker' }
  | { do: 'support'; change: 'cancel' | 'reassign' | 'status'; status?: OrderStatus }
  /**
   * An operator decides from the parked state's `allowed` list (`pick` a fraction of it):
   * `twice` two operators at once (`pick2`), `stale` read now and sent once the state
   * changed (the ledger grew or the park ended, at most 3 s later), `raceRecheck` while the saga's own re-check read is held (the payment's held
   * commands settled meanwhile when `settleFirst`).
   */
  | {
      do: 'decide';
      pick: number;
      mode: DecideMode;
      pick2?: number;
      settleFirst?: boolean;
      transfer: 'payment' | 'madeUp';
    }
  | { do: 'settle'; kind?: CommandKind }
  | { do: 'lose'; kind?: CommandKind };

/** Events wait for their points side by side: each acts once, when (if) its point comes. */
export interface ScenarioEvent {
  at: Point;
  act: Action;
}

export interface Scenario {
  order: { connectAccount: boolean; payment: SeededPayment };
  settings: Partial<SagaSettings>;
  settlement: { release: SettlementMode; releaseFails: boolean; revert: SettlementMode };
  /** Per route, the answer to its 1st, 2nd... request; the rest are answered normally. */
  answers: Partial<Record<Route, AnswerClass[]>>;
  /** A route whose last scripted answer lasts (a permanent condition). */
  lasting?: Route;
  /** Delay of a `slow` answer (under the worker's HTTP timeout). */
  slowMs: number;
  events: ScenarioEvent[];
}

export const ROUTES: readonly Route[] = [
  'getOrderDetails',
  'updateOrderStatus',
  'connectAccount',
  'paymentStatus',
  'release',
  'revert',
];

/** How many requests of each route a saga typically makes (scripts reach that far). */
const TYPICAL_REQUESTS: Record<Route, number> = {
  getOrderDetails: 8,
  updateOrderStatus: 3,
  connectAccount: 3,
  paymentStatus: 6,
  release: 2,
  revert: 2,
};

const READ_ANSWERS: Partial<Record<AnswerClass, number>> = {
  '400': 1,
  '404': 1.5,
  '409': 0.5,
  '422': 0.5,
  '500': 1.5,
  '503': 1.5,
  timeout: 1.5,
  drop: 1,
  slow: 2,
};
const WRITE_ANSWERS: Partial<Record<AnswerClass, number>> = {
  ...READ_ANSWERS,
  'after:lost': 1,
  'after:late': 1,
  'after:409': 1,
  'after:422': 0.7,
  'after:500': 1,
};
const ANSWERS_FOR: Record<Route, Partial<Record<AnswerClass, number>>> = {
  getOrderDetails: READ_ANSWERS,
  connectAccount: READ_ANSWERS,
  paymentStatus: READ_ANSWERS,
  updateOrderStatus: WRITE_ANSWERS,
  release: WRITE_ANSWERS,
  revert: WRITE_ANSWERS,
};

/** Answers that keep the request in flight a while: good moments to act. */
export const IN_FLIGHT: readonly AnswerClass[] = ['slow', 'timeout', 'after:late'];

function answersFor(r: Rng): Pick<Scenario, 'answers' | 'lasting'> {
  const answers: Partial<Record<Route, AnswerClass[]>> = {};
  const faults = r.weighted({ 0: 20, 1: 35, 2: 30, 3: 15 });
  for (let i = 0; i < Number(faults); i++) {
    const route = r.weighted<Route>({
      getOrderDetails: 24,
      updateOrderStatus: 22,
      paymentStatus: 18,
      release: 25,
      revert: 8,
      connectAccount: 10,
    });
    const n = r.int(1, TYPICAL_REQUESTS[route]);
    const list = answers[route] ?? [];
    while (list.length < n) list.push('normal');
    list[n - 1] = r.weighted(ANSWERS_FOR[route]);
    answers[route] = list;
  }
  if (!r.chance(0.15)) return { answers };
  // A permanent condition: from the n-th request on, a 4xx every time.
  const lasting = r.pick<Route>([
    'getOrderDetails',
    'updateOrderStatus',
    'paymentStatus',
    'revert',
  ]);
  const from = r.int(1, TYPICAL_REQUESTS[lasting]);
  const list = (answers[lasting] ?? []).slice(0, from - 1);
  while (list.length < from - 1) list.push('normal');
  list.push(r.pick<AnswerClass>(['400', '404', '409', '422']));
  answers[lasting] = list;
  return { answers, lasting };
}

function pointFor(r: Rng, answers: Scenario['answers']): Point {
  const kind = r.weighted({ request: 40, ledger: 30, step: 15, parked: 10, start: 5 });
  if (kind === 'request') {
    // Half the time, a request that stays in flight or fails: where races live.
    const faulty = Object.entries(answers).flatMap(([route, list]) =>
      (list ?? []).flatMap((a, i) => (a === 'normal' ? [] : [{ route: route as Route, n: i + 1 }])),
    );
    if (faulty.length > 0 && r.chance(0.5)) return { on: 'request', ...r.pick(faulty) };
    const route = r.pick(ROUTES);
    return { on: 'request', route, n: r.int(1, TYPICAL_REQUESTS[route]) };
  }
  if (kind === 'ledger') {
    const ledgerKind = r.weighted<LedgerEntry['kind']>({
      'release-request': 4,
      'status-change': 2,
      transfer: 1,
      'revert-request': 2,
      'release-failed': 0.5,
    });
    return { on: 'ledger', kind: ledgerKind, n: r.int(1, ledgerKind === 'status-change' ? 2 : 1) };
  }
  if (kind === 'step') {
    return {
      on: 'step',
      step: r.pick<SagaStep>([
        'markDelivered',
        'getConnectAccount',
        'getPayment',
        'checkBeforeRelease',
        'releaseFunds',
        'markCompleted',
      ]),
    };
  }
  return kind === 'parked' ? { on: 'parked' } : { on: 'start' };
}

function interruption(r: Rng): Action {
  const what = r.weighted({
    cancel: 22,
    terminate: 22,
    reset: 16,
    killWorker: 10,
    support: 20,
    settle: 6,
    lose: 4,
  });
  if (what === 'reset') return { do: 'reset', at: r.next() };
  if (what === 'support') {
    const change = r.weighted({ cancel: 4, reassign: 3, status: 2 } as const);
    if (change !== 'status') return { do: 'support', change };
    const status = r.pick<OrderStatus>(['ON_THE_WAY', 'PLACED', 'ACCEPTED', 'DELIVERED']);
    return { do: 'support', change, status };
  }
  if (what === 'settle' || what === 'lose') return { do: what };
  return { do: what };
}

function decision(r: Rng): Action {
  const mode = r.weighted<DecideMode>({ plain: 45, twice: 15, stale: 15, raceRecheck: 25 });
  return {
    do: 'decide',
    pick: r.next(),
    mode,
    ...(mode === 'twice' ? { pick2: r.next() } : {}),
    ...(mode === 'raceRecheck' ? { settleFirst: r.chance(0.7) } : {}),
    transfer: r.chance(0.5) ? 'payment' : 'madeUp',
  };
}

export function generate(seed: number, index: number): Scenario {
  const r = scenarioRng(seed, index);
  const payment = r.weighted<SeededPayment>({
    AUTHORIZED: 74,
    SUCCEEDED_OURS: 4,
    SUCCEEDED_OTHER: 7,
    SUCCEEDED_NO_TRANSFER: 5,
    FAILED: 5,
    REVERTED: 5,
  });
  const window = () => r.int(1, 3) * 1_000;
  const settings: Partial<SagaSettings> = {
    settlementWaitMs: window(),
    revertWaitMs: window(),
    connectAccountWaitMs: window(),
    releaseRetryWindowMs: r.int(1, 5) * 1_000,
    releaseRetryIntervalMs: r.int(1, 5) * 100,
    connectAccountPollMs: r.int(1, 5) * 100,
    activityTimeoutMs: 5_000,
  };
  const settlement = {
    release: r.weighted<SettlementMode>({ soon: 45, hold: 45, lose: 10 }),
    releaseFails: r.chance(0.2),
    revert: r.weighted<SettlementMode>({ soon: 70, hold: 25, lose: 5 }),
  };
  const { answers, lasting } = answersFor(r);
  const events: ScenarioEvent[] = [];
  const interruptions = Number(r.weighted({ 0: 25, 1: 40, 2: 25, 3: 10 }));
  for (let i = 0; i < interruptions; i++) {
    events.push({ at: pointFor(r, answers), act: interruption(r) });
  }
  // Races: an action while a slow request is in flight, often (where such defects live).
  for (const [route, list] of Object.entries(answers) as Array<[Route, AnswerClass[]]>) {
    list.forEach((answer, i) => {
      if (IN_FLIGHT.includes(answer) && r.chance(0.6)) {
        events.push({ at: { on: 'request', route, n: i + 1 }, act: interruption(r) });
      }
    });
  }
  const decisions = Number(r.weighted({ 0: 25, 1: 45, 2: 30 }));
  for (let i = 0; i < decisions; i++) events.push({ at: { on: 'parked' }, act: decision(r) });
  const order = { connectAccount: r.chance(0.85), payment };
  const slowMs = r.int(6, 12) * 100;
  // Drawn last, so the draws above (and the scenarios of earlier reports) stay as they were.
  // Short, so a transient failure after the pivot parks in seconds instead of the 1 h default.
  settings.stepRetryWindowMs = r.int(1, 5) * 1_000;
  if (r.chance(RELEASE_REFUSED_AFTER_PROCESSING))
    releaseRefusedAfterProcessing(r, answers, settlement);
  const scenario: Scenario = {
    order,
    settings,
    settlement,
    answers,
    ...(lasting ? { lasting } : {}),
    slowMs,
    events,
  };
  // Drawn after everything else, for the same reason.
  if (r.chance(EARLIER_RUN_QUEUED)) return earlierRunQueued(r, scenario);
  return r.chance(CANCEL_DURING_WRITE) ? cancelDuringWrite(scenario) : scenario;
}

/** How often the shape of issue 17's defect 3 is drawn on purpose. */
const RELEASE_REFUSED_AFTER_PROCESSING = 0.1;

/**
 * Issue 17, defect 3: the first release is processed (queued) and then answered with a 4xx
 * that proves nothing (409 ALREADY_RELEASED, 422), while its settlement is held, so the
 * payment still shows AUTHORIZED when the saga decides. Only confirming through the
 * payment's status is safe; a saga that takes the 4xx for "not queued" reverts and the
 * held release then pays: paid and refunded. Rare by chance (one release fault in ~20
 * draws, then hold), so drawn on purpose: about 30 times in the 300 CI scenarios.
 */
function releaseRefusedAfterProcessing(
  r: Rng,
  answers: Scenario['answers'],
  settlement: Scenario['settlement'],
): void {
  answers.release = [r.pick<AnswerClass>(['after:409', 'after:422'])];
  settlement.release = 'hold';
  settlement.releaseFails = false;
}

/** How often the shape of issue 17's defect 1 is drawn on purpose. */
const EARLIER_RUN_QUEUED = 0.08;

/**
 * The order read of checkBeforeRelease in the second run: the first run read the order in
 * readOrder, markDelivered and checkBeforeRelease and inside the release activity (1-4);
 * the second run in readOrder and markDelivered (5, 6).
 */
const SECOND_RUN_CHECK_READ = 7;

/**
 * Issue 17, defect 1: run 1 queued a release (held: it settles only at the scenario's end)
 * and was terminated; run 2 read the AUTHORIZED payment, and its re-read of the order
 * before the release was cancelled while slow, or answered 404. Only confirming run 1's
 * release is safe; a compensation that skips the earlier run's claim because the re-read
 * did not complete reverts while that release is queued: paid and refunded. It takes two
 * runs, a held release and a fault at one exact read, so chance draws it about never:
 * drawn on purpose, about 25 times in the 300 CI scenarios. Everything else is cleared, so
 * the shape is what is played.
 */
function earlierRunQueued(r: Rng, scenario: Scenario): Scenario {
  const reads: AnswerClass[] = Array.from(
    { length: SECOND_RUN_CHECK_READ - 1 },
    (): AnswerClass => 'normal',
  );
  const cancelled = r.chance(0.6);
  reads.push(cancelled ? 'slow' : '404');
  const events: ScenarioEvent[] = [
    { at: { on: 'ledger', kind: 'release-request', n: 1 }, act: { do: 'terminate' } },
  ];
  if (cancelled) {
    const at: Point = { on: 'request', route: 'getOrderDetails', n: SECOND_RUN_CHECK_READ };
    events.push({ at, act: { do: 'cancel' } });
  }
  // An operator may still decide on the park that confirming the held release leads to.
  if (r.chance(0.5)) events.push({ at: { on: 'parked' }, act: decision(r) });
  const { lasting: _, ...rest } = scenario;
  return {
    ...rest,
    order: { connectAccount: true, payment: 'AUTHORIZED' },
    settlement: { release: 'hold', releaseFails: r.chance(0.2), revert: 'soon' },
    answers: { getOrderDetails: reads },
    events,
  };
}

/** How often the shape of issue 17's defect 7 is drawn on purpose. */
const CANCEL_DURING_WRITE = 0.06;

/**
 * Issue 17, defect 7: a cancel while the DELIVERED write is in flight, slow but answered
 * (not timed out: a write whose reply times out may land at any time, the contract's
 * limit). The compensation must wait for that write before it restores; a saga that does
 * not reads ON_THE_WAY, restores nothing, and the write then lands: CANCELLED with the
 * order DELIVERED. Chance rarely puts a cancel on a slow first write: drawn on purpose.
 */
function cancelDuringWrite(scenario: Scenario): Scenario {
  const { lasting: _, ...rest } = scenario;
  return {
    ...rest,
    order: { connectAccount: true, payment: 'AUTHORIZED' },
    answers: { updateOrderStatus: ['slow'] },
    events: [{ at: { on: 'request', route: 'updateOrderStatus', n: 1 }, act: { do: 'cancel' } }],
  };
}
