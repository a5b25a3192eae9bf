/**
 * Plays one scenario in one lane: seeds the order, scripts the services' answers for its
 * requests, starts the saga, runs each event when its point in the saga's life comes (or
 * skips it when the saga can no longer get there), lets every held payment command settle,
 * then judges the order with the reliability suite's invariants.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import type { WorkflowHandle } from '@temporalio/client';
import {
  isOrderStatus,
  type OrderStatus,
  type PaymentStatus,
} from '../common/workflow-safe/contracts';
import { PROGRESS_QUERY, workflowIdFor } from '../common/workflow-safe/names';
import {
  DECIDE_UPDATE,
  type DecisionRecord,
  type OperatorDecision,
  type ParkedState,
} from '../common/workflow-safe/operator';
import type { SagaProgress } from '../common/workflow-safe/saga-contract';
import { resolveSagaSettings } from '../common/workflow-safe/saga-settings';
import type { SupportChange } from '../reliability/environment';
import { gatherFacts, type OrderFacts } from '../reliability/facts';
import {
  COMPLETED_UNPAID,
  type Outcome,
  PAID_AFTER_CHANGE,
  verdict,
} from '../reliability/invariants';
import type { Fault, LedgerEntry, Route, ScriptedAnswer, SeededOrder } from '../sandbox';
import type { Action, AnswerClass, Point, Scenario } from './scenario';
import { HTTP_TIMEOUT_MS, type Lane, type World } from './world';

export interface Played {
  outcome: Outcome | 'error';
  violations: string[];
  /**
   * Violations the Order Service's contract cannot prevent (no compare-and-set, no request
   * status): ADR 0013's window, a support change overwritten by a write read before it, a
   * late status write landing after the compensation's read. Counted apart.
   */
  contractLimit: string[];
  /** States an operator's own act caused (a run terminated mid-refund). Counted apart. */
  operatorError: string[];
  /** What happened, one line per event: for reading a counterexample. */
  log: string[];
  /** This order's requests (arrived, handled), ledger entries and support changes, in order. */
  timeline: string[];
  seconds: number;
}

/** A worker killed mid-task: its sticky queue and workflow task time out (10 s each at most). */
const WORKER_RESTART_MS = 20_000;
/** Backoff of the brief retries (1 s, 2 s, 4 s...) through the few faults a script holds. */
const RETRY_MARGIN_MS = 10_000;

/**
 * How long a saga may legitimately stay RUNNING without parking after the scenario's last
 * event: the sum of the windows it may spend, one after the other (onboarding, re-sends of
 * a release not queued, settlement, revert, one step's retries: each ends in a park or an
 * end), an activity attempt in flight at each end and a timed-out one, and margins for the
 * brief retries and a worker restart. Derived from the scenario's own settings, so a saga
 * RUNNING past it is one that no setting bounds (issue 17, item 6).
 */
export function settleBoundMs(scenario: Scenario): number {
  const s = resolveSagaSettings(scenario.settings);
  const windows =
    s.connectAccountWaitMs +
    s.releaseRetryWindowMs +
    s.settlementWaitMs +
    s.revertWaitMs +
    s.stepRetryWindowMs;
  return windows + 3 * s.activityTimeoutMs + RETRY_MARGIN_MS + WORKER_RESTART_MS;
}
/** How long an event waits for its point before it is skipped. */
const POINT_BOUND_MS = 10_000;
/** A point other than a park is given up this long after the saga parked. */
const PARKED_GIVE_UP_MS = 1_500;
const UPDATE_TIMEOUT_MS = 15_000;

const LATE_MS = HTTP_TIMEOUT_MS + 700;

/** A saga ended, and the order left DELIVERED (invariants.ts, `classify`). */
const LEFT_DELIVERED = /^saga (FAILED|CANCELLED), .*(left|but order) DELIVERED/;
/** A saga COMPLETED with the order DELIVERED (invariants.ts, `classify`). */
const COMPLETED_LEFT_DELIVERED = /^saga COMPLETED: order DELIVERED/;
const MONEY_BACK_LEFT_DELIVERED = /^saga (FAILED|CANCELLED), money returned, but order DELIVERED/;

export function faultFor(answer: AnswerClass, slowMs: number): ScriptedAnswer {
  switch (answer) {
    case 'normal':
      return null;
    case 'timeout':
      return { delayMs: LATE_MS };
    case 'drop':
      return { drop: true };
    case 'slow':
      return { delayMs: slowMs };
    case 'after:lost':
      return { afterProcessing: true, drop: true };
    case 'after:late':
      return { afterProcessing: true, delayMs: LATE_MS };
    case 'after:409':
    case 'after:422':
    case 'after:500':
      return { afterProcessing: true, status: Number(answer.slice(6)) };
    default:
      return { status: Number(answer) };
  }
}

const KEY_OF: Record<Route, keyof SeededOrder> = {
  getOrderDetails: 'orderId',
  updateOrderStatus: 'orderId',
  paymentStatus: 'orderId',
  connectAccount: 'runnerId',
  release: 'paymentId',
  revert: 'paymentId',
};

const SEEDED_STATUS: Record<Scenario['order']['payment'], PaymentStatus> = {
  AUTHORIZED: 'AUTHORIZED',
  SUCCEEDED_OURS: 'SUCCEEDED',
  SUCCEEDED_OTHER: 'SUCCEEDED',
  SUCCEEDED_NO_TRANSFER: 'SUCCEEDED',
  FAILED: 'FAILED',
  REVERTED: 'REVERTED',
};

const hex = (n: number) => randomUUID().replaceAll('-', '').slice(0, n);

/** One thing that happened to this order, in order: requests arrive, are handled, land. */
interface Happening {
  what: string;
  /** Ledger position (ledger entries, support changes). */
  seq?: number;
  /** The request's number for its route (requests and their handling). */
  n?: number;
  /** The status a status write asks for. */
  status?: OrderStatus;
  /** A support change's kind. */
  kind?: SupportChange['kind'];
}

type View =
  | { closed: true; status: string }
  | { closed: false; progress: SagaProgress | undefined };

class Play {
  readonly log: string[] = [];
  /** Requests, ledger entries and support changes in the order they happened. */
  readonly timeline: Happening[] = [];
  /** The order's status before the saga: what an operator restores by hand. */
  readonly statusBefore: OrderStatus;
  /** Runs terminated while they carried out an operator's refund. */
  readonly terminatedMidRefund: string[] = [];
  private readonly counts = new Map<string, number>();
  private readonly waiters = new Set<() => void>();
  private readonly cleanups: Array<() => void> = [];
  private readonly consumedParks = new Set<string>();
  private readonly started = Date.now();
  /** When this order's latest request arrived. */
  lastArrival = 0;

  constructor(
    readonly world: World,
    readonly lane: Lane,
    readonly scenario: Scenario,
    readonly seeded: SeededOrder,
  ) {
    this.statusBefore = this.state.orders.get(seeded.orderId)?.orderStatus ?? 'ON_THE_WAY';
  }

  get state() {
    return this.world.sandbox.state;
  }

  get orderId() {
    return this.seeded.orderId;
  }

  note(line: string): void {
    this.log.push(`${((Date.now() - this.started) / 1000).toFixed(1)}s ${line}`);
  }

  private bump(key: string): void {
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    for (const wake of this.waiters) wake();
  }

  count(key: string): number {
    return this.counts.get(key) ?? 0;
  }

  /** Scripts the answers and watches this order's requests and ledger entries. */
  arm(): void {
    const { faults } = this.world.sandbox;
    const { answers, lasting, slowMs } = this.scenario;
    for (const [route, list] of Object.entries(answers) as Array<[Route, AnswerClass[]]>) {
      const scripted = list.map((a) => faultFor(a, slowMs));
      this.cleanups.push(
        faults.script(route, this.seeded[KEY_OF[route]] as string, scripted, lasting === route),
      );
    }
    this.cleanups.push(
      faults.observe((route, keys) => {
        if (!keys.has(this.seeded[KEY_OF[route]] as string)) return undefined;
        const n = this.count(`request ${route}`) + 1;
        const status = route === 'updateOrderStatus' ? [...keys].find(isOrderStatus) : undefined;
        this.timeline.push({ what: `request ${route}`, n, ...(status ? { status } : {}) });
        this.lastArrival = Date.now();
        this.bump(`request ${route}`);
        // Handled right before its ledger entries: pairs a write with the entry it made.
        return () => this.timeline.push({ what: `handled ${route}`, n });
      }),
    );
    const onLedger = (entry: LedgerEntry) => {
      if (entry.orderId !== this.orderId) return;
      const detail = entry.kind === 'status-change' ? ` ${entry.detail}` : '';
      this.timeline.push({ what: `ledger ${entry.kind}${detail}`, seq: entry.seq });
      this.bump(`ledger ${entry.kind}`);
    };
    this.state.on('ledger', onLedger);
    this.cleanups.push(() => this.state.off('ledger', onLedger));
  }

  disarm(): void {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
  }

  handle(runId?: string): WorkflowHandle {
    return this.world.client.workflow.getHandle(workflowIdFor(this.orderId), runId);
  }

  async view(): Promise<View | undefined> {
    try {
      const described = await this.handle().describe();
      const status = described.status.name as string;
      if (status !== 'RUNNING') return { closed: true, status };
      const progress = await this.handle()
        .query<SagaProgress>(PROGRESS_QUERY)
        .catch(() => undefined);
      return { closed: false, progress };
    } catch {
      return undefined;
    }
  }

  input() {
    return {
      orderId: this.orderId,
      runnerId: this.seeded.runnerId,
      settings: this.scenario.settings,
    };
  }

  /** Resolves when `key` counted `n`, or false once `giveUp` says so. */
  private async counted(key: string, n: number): Promise<boolean> {
    if (this.count(key) >= n) return true;
    let wake = () => {};
    const reached = new Promise<boolean>((resolve) => {
      wake = () => {
        if (this.count(key) >= n) resolve(true);
      };
      this.waiters.add(wake);
    });
    try {
      return await Promise.race([reached, this.giveUp(false)]);
    } finally {
      this.waiters.delete(wake);
    }
  }

  /**
   * Resolves false once the point can no longer come: the saga ended, or (for a point
   * other than a park) it has been parked a while, or the bound passed.
   */
  private async giveUp(forPark: boolean, check?: (view: View) => boolean): Promise<boolean> {
    const deadline = Date.now() + POINT_BOUND_MS;
    let parkedSince: number | undefined;
    while (Date.now() < deadline) {
      const view = await this.view();
      if (view && check?.(view)) return true;
      if (view?.closed) return false;
      const parked = view?.progress?.status === 'NEEDS_OPERATOR';
      if (!forPark && parked) {
        parkedSince ??= Date.now();
        if (Date.now() - parkedSince > PARKED_GIVE_UP_MS) return false;
      } else {
        parkedSince = undefined;
      }
      await delay(check ? 100 : 250);
    }
    return false;
  }

  /** Waits for the point; true when it came. A park found is taken (`parked`). */
  async reach(point: Point): Promise<{ reached: boolean; parked?: ParkedState }> {
    switch (point.on) {
      case 'start':
        return { reached: true };
      case 'request':
        return { reached: await this.counted(`request ${point.route}`, point.n) };
      case 'ledger':
        return { reached: await this.counted(`ledger ${point.kind}`, point.n) };
      case 'step':
        return {
          reached: await this.giveUp(
            false,
            (v) => !v.closed && v.progress?.currentStep === point.step,
          ),
        };
      case 'parked': {
        let parked: ParkedState | undefined;
        // Taken inside the check, so two decisions waiting at once never take the same park.
        await this.giveUp(true, (v) => {
          const p = !v.closed ? v.progress?.parked : undefined;
          if (!p || this.consumedParks.has(p.since + p.reason)) return false;
          this.consumedParks.add(p.since + p.reason);
          parked = p;
          return true;
        });
        return parked ? { reached: true, parked } : { reached: false };
      }
    }
  }

  /** Until this order's ledger grew or the saga left `parked` (at most 3 s): the state changed. */
  async untilChanged(parked: ParkedState): Promise<void> {
    const ledger = this.state.ledger.filter((e) => e.orderId === this.orderId).length;
    const deadline = Date.now() + 3_000;
    while (Date.now() < deadline) {
      await delay(100);
      if (this.state.ledger.filter((e) => e.orderId === this.orderId).length !== ledger) return;
      const view = await this.view();
      if (view?.closed || view?.progress?.parked?.since !== parked.since) return;
    }
  }

  lastSeq(): number {
    return this.state.ledger.at(-1)?.seq ?? 0;
  }

  /**
   * `skip` is the operator's word that they did the compensation by hand, so the explorer's
   * operator does it first, as the runbook says. The one compensation that parks for it is
   * the order's restore (money-back.ts, `restoreOrder`): the order, if still DELIVERED and
   * this runner's, goes back to its status before the saga, or to CANCELLED once the money
   * is back (the payment REVERTED), as the saga itself would have written it.
   */
  private compensateByHand(parked: ParkedState): void {
    if (!parked.message.includes('restoreOrderStatus')) {
      this.note(`skip of a compensation the explorer cannot do by hand: ${parked.message}`);
      return;
    }
    const order = this.state.orders.get(this.orderId);
    if (order?.orderStatus !== 'DELIVERED' || order.runnerId !== this.seeded.runnerId) {
      this.note(`by hand: nothing to restore (order ${order?.orderStatus})`);
      return;
    }
    const back = this.state.payments.get(this.seeded.paymentId)?.status === 'REVERTED';
    const status = back ? 'CANCELLED' : this.statusBefore;
    this.state.applyOrderStatus(order, status);
    this.timeline.push({ what: 'by hand', seq: this.lastSeq() });
    this.note(`by hand: order restored to ${status}`);
  }

  /** Sends one decision as `ops decide` does; remembers it when the saga accepted it. */
  async sendDecision(decision: OperatorDecision, parked: ParkedState): Promise<void> {
    if (decision.action === 'skip') this.compensateByHand(parked);
    const sentAtSeq = this.lastSeq() + 0.5;
    try {
      const record = await this.world.client.withAbortSignal(
        AbortSignal.timeout(UPDATE_TIMEOUT_MS),
        () =>
          this.handle().executeUpdate<DecisionRecord, [OperatorDecision]>(DECIDE_UPDATE, {
            args: [decision],
          }),
      );
      const acceptedAtSeq = this.lastSeq() + 0.5;
      const all = this.world.decisions.get(this.orderId) ?? [];
      all.push({ action: record.action, sentAtSeq, acceptedAtSeq });
      this.world.decisions.set(this.orderId, all);
      this.note(`decision ${decision.action} accepted`);
    } catch (error) {
      const message =
        error instanceof Error ? ((error.cause as Error)?.message ?? error.message) : String(error);
      this.note(`decision ${decision.action} refused: ${message.slice(0, 120)}`);
    }
  }

  decisionFor(parked: ParkedState, pick: number, transfer: 'payment' | 'madeUp'): OperatorDecision {
    const action = parked.allowed[Math.floor(pick * parked.allowed.length)] ?? parked.allowed[0];
    const shown = this.state.payments.get(this.seeded.paymentId)?.transferId;
    const transferId =
      transfer === 'payment' && shown ? shown : `tr_explore${Math.floor(pick * 1e6)}`;
    return {
      action: action as OperatorDecision['action'],
      operator: 'explorer@example.com',
      reason: `explorer decision on ${parked.reason}`,
      ...(action === 'markPaid' ? { transferId } : {}),
    };
  }

  /**
   * Holds the saga's next payment read (its re-check while parked), decides meanwhile, then
   * lets the read go: the decision races the saga's own finding.
   */
  async raceRecheck(
    decision: OperatorDecision,
    parked: ParkedState,
    settleFirst: boolean,
  ): Promise<void> {
    let open = () => {};
    const gate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const hold: Fault = { route: 'paymentStatus', key: this.orderId, hold: gate };
    const held = this.world.sandbox.faults.inject(hold);
    const waitMs = (this.scenario.settings.settlementWaitMs ?? 1_000) * 3 + 2_000;
    const deadline = Date.now() + waitMs;
    while (held.hits === 0 && Date.now() < deadline) await delay(50);
    if (held.hits === 0) {
      held.remove();
      open();
      this.note('no re-check came: deciding plainly');
      return this.sendDecision(decision, parked);
    }
    this.note('re-check read held');
    await this.sendDecision(decision, parked);
    if (settleFirst) this.note(`settled ${this.state.settlePayment(this.seeded.paymentId)} held`);
    open();
  }

  async act(action: Action, parked: ParkedState | undefined): Promise<void> {
    const handle = this.handle();
    switch (action.do) {
      case 'cancel':
        await handle.cancel().catch(() => undefined);
        return;
      case 'terminate': {
        await this.noteRefundInFlight();
        await handle.terminate('explorer: terminated by an operator').catch(() => undefined);
        const runId = await this.world.startSaga(this.input(), this.lane.taskQueue);
        this.note(runId ? 'started again' : 'not started again (API refuses)');
        return;
      }
      case 'reset':
        await this.reset(action.at);
        return;
      case 'killWorker':
        await this.lane.killWorker();
        await this.lane.startWorker();
        return;
      case 'support':
        this.support(action);
        return;
      case 'settle':
        this.note(`settled ${this.state.settlePayment(this.seeded.paymentId, action.kind)} held`);
        return;
      case 'lose':
        this.note(`lost ${this.state.losePayment(this.seeded.paymentId, action.kind)} held`);
        return;
      case 'decide': {
        if (!parked) return;
        this.note(`parked ${parked.reason}, allowed ${parked.allowed.join('/')}`);
        const first = this.decisionFor(parked, action.pick, action.transfer);
        if (action.mode === 'plain') return this.sendDecision(first, parked);
        if (action.mode === 'stale') {
          await this.untilChanged(parked);
          return this.sendDecision(first, parked);
        }
        if (action.mode === 'twice') {
          const second = this.decisionFor(parked, action.pick2 ?? 0, action.transfer);
          await Promise.all([this.sendDecision(first, parked), this.sendDecision(second, parked)]);
          return;
        }
        await this.raceRecheck(first, parked, action.settleFirst === true);
        return;
      }
    }
  }

  /** Before a terminate: is the run carrying out an operator's refund? */
  private async noteRefundInFlight(): Promise<void> {
    const view = await this.view();
    if (view?.closed !== false) return;
    const refund = view.progress?.decisions?.find((d) => d.action === 'refund');
    if (!refund) return;
    const runId =
      (
        await this.handle()
          .describe()
          .catch(() => undefined)
      )?.runId ?? '?';
    this.terminatedMidRefund.push(runId);
    this.note(`terminating run ${runId} while it carries out an operator's refund`);
  }

  private support(action: Extract<Action, { do: 'support' }>): void {
    const order = this.state.orders.get(this.orderId);
    if (!order) return;
    if (action.change === 'reassign') {
      order.runnerId = `user_reassigned${hex(12)}`;
      const seq = this.lastSeq();
      this.world.noteSupportChange(this.orderId, { kind: 'reassigned', seq });
      this.timeline.push({ what: 'support', seq, kind: 'reassigned' });
      return;
    }
    const status = action.change === 'cancel' ? 'CANCELLED' : (action.status ?? 'ON_THE_WAY');
    this.state.applyOrderStatus(order, status);
    const seq = this.lastSeq();
    const kind =
      status === 'CANCELLED' ? 'cancelled' : status === 'DELIVERED' ? 'delivered' : 'moved';
    this.world.noteSupportChange(this.orderId, { kind, seq });
    this.timeline.push({ what: 'support', seq, kind });
  }

  private async reset(at: number): Promise<void> {
    const { runId, status } = await this.handle().describe();
    // An operator resets a saga that is stuck, not one that ended.
    if (status.name !== 'RUNNING') return this.note(`no reset: the saga is ${status.name}`);
    const events = (await this.handle(runId).fetchHistory()).events ?? [];
    const tasks = events.filter((e) => e.workflowTaskCompletedEventAttributes);
    const target = tasks[Math.floor(at * tasks.length)];
    if (!target) return;
    const reply = await this.world.client.workflowService.resetWorkflowExecution({
      namespace: this.world.client.options.namespace,
      workflowExecution: { workflowId: workflowIdFor(this.orderId), runId },
      reason: 'explorer: reset to a workflow task',
      workflowTaskFinishEventId: target.eventId,
      requestId: randomUUID(),
    });
    if (reply.runId) this.world.noteRun(this.orderId, reply.runId);
    this.note(`reset to task ${tasks.indexOf(target) + 1}/${tasks.length}`);
  }

  /**
   * Until every request that arrived so far was answered: a delayed write (`timeout`)
   * lands up to LATE_MS after it arrived, after the saga gave up on it. Judged before it
   * lands, the order would look other than it ends up.
   */
  async untilRequestsLanded(): Promise<void> {
    const wait = this.lastArrival + LATE_MS + 300 - Date.now();
    if (wait > 0) await delay(wait);
  }

  /**
   * The facts to judge, gathered while the saga stands still: ended, or parked with the
   * same park before and after the gathering and no ledger entry meanwhile. After a drain
   * (`drainedAt`), a park older than it stands only once the saga's re-checks had time to
   * see the settlement (`recheckMs`); one that leaves its park is waited for again. Past
   * `deadline`, whatever it shows is judged: RUNNING then is a violation.
   */
  async settledFacts(deadline: number, drainedAt?: number): Promise<OrderFacts> {
    const s = resolveSagaSettings(this.scenario.settings);
    // The longest re-check interval of a park, and one read (a timed-out attempt) after it.
    const recheckMs =
      Math.max(s.settlementWaitMs, s.revertWaitMs, s.stepRetryWindowMs) + LATE_MS + 500;
    const still = (v: View | undefined) => {
      if (v?.closed) return v.status;
      const since = v?.progress?.status === 'NEEDS_OPERATOR' && v.progress.parked?.since;
      if (!since) return false;
      const seen = drainedAt === undefined || Date.parse(since) > drainedAt;
      return seen || Date.now() > drainedAt + recheckMs ? since : false;
    };
    const ledger = () => this.state.ledger.filter((e) => e.orderId === this.orderId).length;
    for (;;) {
      await this.untilSettled(Math.max(0, deadline - Date.now()));
      await this.untilRequestsLanded();
      const before = await this.view();
      if (!still(before) && Date.now() < deadline) {
        await delay(250);
        continue;
      }
      const entries = ledger();
      const facts = await gatherFacts(this.world, this.orderId);
      const after = await this.view();
      const stands = still(before) && still(before) === still(after) && entries === ledger();
      if (stands || Date.now() >= deadline) return facts;
      await delay(200);
    }
  }

  /** Until the saga ended or parked; false when it still runs after `boundMs`. */
  async untilSettled(boundMs: number): Promise<boolean> {
    const deadline = Date.now() + boundMs;
    for (let waitMs = 100; Date.now() < deadline; waitMs = Math.min(waitMs * 2, 1_000)) {
      const view = await this.view();
      if (view?.closed || view?.progress?.status === 'NEEDS_OPERATOR') return true;
      await delay(waitMs);
    }
    return false;
  }

  /** The answer scripted for request `n` of `route`. */
  answerFor(route: Route, n: number): AnswerClass {
    const list = this.scenario.answers[route] ?? [];
    const lasting = this.scenario.lasting === route ? list.at(-1) : undefined;
    return list[n - 1] ?? lasting ?? 'normal';
  }

  /** Index of the last order read that arrived before index `before`. */
  private lastReadBefore(before: number): number {
    return this.timeline
      .slice(0, before)
      .map((t) => t.what)
      .lastIndexOf('request getOrderDetails');
  }

  /**
   * The request that made the ledger entry at index `at`: the request handled right before
   * it (a handler writes its entries synchronously); none for a support change.
   */
  private requestOf(at: number): { request: Happening; index: number } | undefined {
    const handled = this.timeline[at - 1];
    if (!handled?.what.startsWith('handled ')) return undefined;
    const what = `request ${handled.what.slice('handled '.length)}`;
    const index = this.timeline.findIndex((t) => t.what === what && t.n === handled.n);
    const request = this.timeline[index];
    return request ? { request, index } : undefined;
  }

  /**
   * The contract's limit (a): support's change at index `at` was overwritten by the saga's
   * DELIVERED write, whose read came before the change. The transition activity reads the
   * order, then writes; with no compare-and-set a change in between (or while the write is
   * in flight) is overwritten, and every later read shows the saga's own status.
   */
  private overwrittenAfterItsRead(at: number): boolean {
    const next = this.timeline.findIndex(
      (t, i) => i > at && t.what.startsWith('ledger status-change'),
    );
    if (next < 0 || this.timeline[next]?.what !== 'ledger status-change DELIVERED') return false;
    const write = this.requestOf(next);
    if (write?.request.status !== 'DELIVERED') return false;
    const read = this.lastReadBefore(write.index);
    return read >= 0 && read < at;
  }

  /**
   * A payout after support changed the order, within what the contract cannot prevent:
   * every change came after the saga's last read before the release request (ADR 0013's
   * window), or was overwritten by a write read before it (a), and the saga cancelled
   * nothing itself.
   */
  paidAfterChangeIsLimit(): boolean {
    const at = this.timeline.findIndex((t) => t.what === 'ledger release-request');
    if (at < 0) return false;
    const lastRead = this.lastReadBefore(at);
    const changes = this.timeline.flatMap((t, i) =>
      i < at && t.what === 'support' && t.kind !== 'delivered' ? [i] : [],
    );
    const bySupport = new Set(this.timeline.filter((t) => t.what === 'support').map((t) => t.seq));
    const sagaCancels = this.state
      .entries('status-change', this.orderId)
      .filter((e) => e.detail === 'CANCELLED' && !bySupport.has(e.seq))
      .filter((e) => e.seq < (this.timeline[at]?.seq ?? 0));
    return (
      changes.length > 0 &&
      changes.every((i) => i > lastRead || this.overwrittenAfterItsRead(i)) &&
      sagaCancels.length === 0
    );
  }

  /** ADR 0013's window at the COMPLETED write: a support change after the saga's last read. */
  completedWriteIsLimit(): boolean {
    const at = this.timeline.findIndex((t) => t.what === 'ledger status-change COMPLETED');
    if (at < 0) return false;
    const lastRead = this.lastReadBefore(at);
    const changes = this.timeline.flatMap((t, i) => (i < at && t.what === 'support' ? [i] : []));
    return changes.length > 0 && changes.every((i) => i > lastRead);
  }

  /**
   * The contract's limit (b): the order's last status write, a DELIVERED whose reply timed
   * out or was lost (`timeout`, `after:*`), landed after the compensation's restore had
   * read the order (and restored it, or found nothing to restore). The Order Service has no
   * compare-and-set and no request status: the saga cannot see a write still on its way.
   * Only when the ledger shows it: the write was sent before the last read of the order,
   * landed after it, and the latest run's restore ran (its read is that last read).
   */
  async lateWriteAfterRestore(): Promise<boolean> {
    const last = this.timeline.findLastIndex((t) => t.what.startsWith('ledger status-change'));
    if (this.timeline[last]?.what !== 'ledger status-change DELIVERED') return false;
    const write = this.requestOf(last);
    if (write?.request.status !== 'DELIVERED' || write.request.n === undefined) return false;
    const answer = this.answerFor('updateOrderStatus', write.request.n);
    if (answer !== 'timeout' && !answer.startsWith('after:')) return false;
    const read = this.lastReadBefore(this.timeline.length);
    if (!(write.index < read && read < last)) return false;
    const progress = await this.handle()
      .query<SagaProgress>(PROGRESS_QUERY)
      .catch(() => undefined);
    return (progress?.compensationsRun ?? []).some(
      (c) => c.startsWith('restoreOrderStatus') && !c.includes('by hand'),
    );
  }

  /**
   * The contract's limit (c), the same missing compare-and-set after the payout: a
   * DELIVERED write whose reply timed out or was lost (a run's attempt, or a run reset away
   * while it was in flight) landed after the saga had written COMPLETED. 101-17: the run
   * was reset while its DELIVERED write hung; the new run wrote DELIVERED and COMPLETED,
   * then the hung write landed. Only when the ledger shows it: the order's last status
   * write is that DELIVERED, sent before the COMPLETED write landed.
   */
  lateWriteAfterCompleted(): boolean {
    const last = this.timeline.findLastIndex((t) => t.what.startsWith('ledger status-change'));
    if (this.timeline[last]?.what !== 'ledger status-change DELIVERED') return false;
    const write = this.requestOf(last);
    if (write?.request.status !== 'DELIVERED' || write.request.n === undefined) return false;
    const answer = this.answerFor('updateOrderStatus', write.request.n);
    if (answer !== 'timeout' && !answer.startsWith('after:')) return false;
    const completed = this.timeline.findIndex((t) => t.what === 'ledger status-change COMPLETED');
    return completed >= 0 && write.index < completed && completed < last;
  }

  /**
   * An operator's refund cut short by a terminate. 606-2: a run carried out an operator's
   * refund of a payout (revert queued), and an operator terminated it before it cancelled
   * the order; the next run read the order DELIVERED (its "status before"), the payment
   * REVERTED, failed PaymentNotReleasable and restored DELIVERED. Counted apart as the
   * operator's doing, not the saga's: every money invariant holds (one transfer, reverted
   * on the operator's decision only), and what is left (the order DELIVERED with the money
   * back) is the refund's last step, which the terminate cut off. The decision lives in the
   * terminated run's history alone; a new run cannot tell an operator's refund from a
   * payment reverted by someone else, and must not guess at an order status it did not
   * write. The runbook's rule: never terminate a saga applying a decision; finish the
   * refund by hand (the order to CANCELLED). Only this shape: the refund was accepted
   * before every revert request, and a run carrying it out was terminated.
   */
  refundCutShort(facts: OrderFacts): boolean {
    if (this.terminatedMidRefund.length === 0) return false;
    const refund = facts.decisions.find((d) => d.action === 'refund');
    return (
      refund !== undefined &&
      facts.payment?.status === 'REVERTED' &&
      facts.order?.status === 'DELIVERED' &&
      facts.revertRequests.every((r) => r.seq > refund.sentAtSeq)
    );
  }
}

const describe = (t: Happening) =>
  [t.what, t.n && `#${t.n}`, t.status, t.kind, t.seq && `@${t.seq}`].filter(Boolean).join(' ');

function seedOrder(world: World, scenario: Scenario): SeededOrder {
  const { state } = world.sandbox;
  const kind = scenario.order.payment;
  const seeded = state.seedOrder({
    connectAccountId: scenario.order.connectAccount ? undefined : null,
    paymentStatus: SEEDED_STATUS[kind],
    settlementFails: scenario.settlement.releaseFails,
  });
  const payment = state.payments.get(seeded.paymentId);
  if (payment && kind === 'SUCCEEDED_OURS') {
    Object.assign(payment, { runnerId: seeded.runnerId, transferId: `tr_seeded${hex(12)}` });
  }
  if (payment && kind === 'SUCCEEDED_OTHER') {
    Object.assign(payment, { runnerId: `user_other${hex(14)}`, transferId: `tr_other${hex(12)}` });
  }
  state.setSettlement(seeded.paymentId, 'release', scenario.settlement.release);
  state.setSettlement(seeded.paymentId, 'revert', scenario.settlement.revert);
  return seeded;
}

export async function play(world: World, lane: Lane, scenario: Scenario): Promise<Played> {
  const started = Date.now();
  const seeded = seedOrder(world, scenario);
  const p = new Play(world, lane, scenario, seeded);
  p.arm();
  try {
    if (!lane.worker) await lane.startWorker();
    await world.startSaga(p.input(), lane.taskQueue);
    // Every event waits for its own point at once: the list's order means nothing.
    await Promise.all(
      scenario.events.map(async (event, i) => {
        const { reached, parked } = await p.reach(event.at);
        if (!reached) return p.note(`event ${i} skipped: ${JSON.stringify(event.at)} never came`);
        p.note(`event ${i}: ${event.act.do} at ${JSON.stringify(event.at)}`);
        await p.act(event.act, parked);
      }),
    );
    const boundMs = settleBoundMs(scenario);
    let deadline = Date.now() + boundMs;
    await p.untilSettled(boundMs);
    // Whatever is still held settles now (a lost command stays lost): late consequences.
    const drained = world.sandbox.state.settlePayment(seeded.paymentId);
    let drainedAt: number | undefined;
    if (drained > 0) {
      p.note(`drained ${drained} held command(s)`);
      drainedAt = Date.now();
      deadline = drainedAt + boundMs;
    }
    const facts = await p.settledFacts(deadline, drainedAt);
    const v = verdict(facts);
    const contractLimit: string[] = [];
    const operatorError: string[] = [];
    const violations: string[] = [];
    for (const x of v.violations) {
      if (
        (x.startsWith(PAID_AFTER_CHANGE) && p.paidAfterChangeIsLimit()) ||
        (x.startsWith(COMPLETED_UNPAID) && p.completedWriteIsLimit()) ||
        (LEFT_DELIVERED.test(x) && (await p.lateWriteAfterRestore())) ||
        (COMPLETED_LEFT_DELIVERED.test(x) && p.lateWriteAfterCompleted())
      ) {
        contractLimit.push(x);
      } else if (MONEY_BACK_LEFT_DELIVERED.test(x) && p.refundCutShort(facts)) {
        operatorError.push(`terminated during an operator's refund: ${x}`);
      } else {
        violations.push(x);
      }
    }
    return {
      outcome: v.outcome,
      violations,
      contractLimit,
      operatorError,
      log: p.log,
      timeline: p.timeline.map(describe),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } catch (error) {
    return {
      outcome: 'error',
      violations: [`explorer error: ${error instanceof Error ? error.stack : String(error)}`],
      contractLimit: [],
      operatorError: [],
      log: p.log,
      timeline: p.timeline.map(describe),
      seconds: Math.round((Date.now() - started) / 100) / 10,
    };
  } finally {
    p.disarm();
    // A parked or stuck saga keeps its worker busy re-checking: stop it once judged.
    await p
      .handle()
      .terminate('explorer: judged')
      .catch(() => undefined);
  }
}
