/** Faults a test injects into a sandbox route: wrong answers, latency, dropped sockets. */

export type Route =
  | 'getOrderDetails'
  | 'updateOrderStatus'
  | 'connectAccount'
  | 'paymentStatus'
  | 'release'
  | 'revert';

export interface Fault {
  route: Route;
  /** How many matching requests it hits (default 1; Infinity for all). */
  times?: number;
  /** Answer this status instead of the real one. */
  status?: number;
  /** Body for `status` (default: the service's own error shape). */
  body?: unknown;
  /** Wait this long before answering. */
  delayMs?: number;
  /**
   * Hold the request until this settles, then go on (a test's gate for one request: the
   * request is answered from the state at that moment, unless other fields say otherwise).
   */
  holdUntil?: PromiseLike<unknown>;
  /** Destroy the connection instead of answering. */
  drop?: boolean;
  /**
   * Apply after the request was processed: the effect happens (a release is queued) but
   * the reply is late, lost or wrong, the case that makes retries dangerous.
   */
  afterProcessing?: boolean;
  /** Hit each matching request with this probability (default 1: every one, `times` times). */
  probability?: number;
  /** Hold the request until this settles (a gate a test opens), before anything else. */
  hold?: Promise<unknown>;
  /**
   * Only requests that name this id (an order, payment or runner id) in their path, query
   * or JSON body: a fault for one saga among many running at once.
   */
  key?: string;
}

/** An injected fault: how often it hit, and a way to lift it. */
export interface InjectedFault {
  readonly hits: number;
  remove(): void;
}

type Active = Fault & { remaining: number; hits: number };

/** One scripted answer: a fault without its selectors, or null for the real answer. */
export type ScriptedAnswer = Omit<Fault, 'route' | 'times' | 'probability' | 'key'> | null;

interface Script {
  answers: ScriptedAnswer[];
  /** Keep giving the last answer once the list is used up (a lasting condition). */
  repeatLast: boolean;
  used: number;
}

/**
 * Sees every request a sandbox service receives, before any fault applies. It may return a
 * function, called when the request is processed (its effect happens, just before its
 * ledger entries): a request held or delayed lands long after it arrived, or never.
 */
export type RequestObserver = (route: Route, keys: ReadonlySet<string>) => (() => void) | undefined;

/**
 * Faults by rule ({@link inject}: first match wins, optionally with a probability drawn
 * from `random`, seedable for reproducible runs) and by script ({@link script}: the n-th
 * request of a route naming one id gets the n-th answer, for scenarios replayed exactly).
 */
export class FaultTable {
  private readonly faults: Active[] = [];
  private readonly scripts = new Map<string, Script>();
  private readonly observers = new Set<RequestObserver>();

  constructor(private random: () => number = Math.random) {}

  /** Draws probabilities from `random` from now on (a seeded generator, for replays). */
  setRandom(random: () => number): void {
    this.random = random;
  }

  /**
   * Answers the requests of `route` that name `key` with `answers`, one per request, in
   * order; injected faults still come first. Replaces an earlier script for the same pair.
   */
  script(route: Route, key: string, answers: ScriptedAnswer[], repeatLast = false): () => void {
    const id = `${route} ${key}`;
    const script: Script = { answers, repeatLast, used: 0 };
    this.scripts.set(id, script);
    return () => {
      if (this.scripts.get(id) === script) this.scripts.delete(id);
    };
  }

  /** Calls `observer` for every request; returns a function that stops it. */
  observe(observer: RequestObserver): () => void {
    this.observers.add(observer);
    return () => this.observers.delete(observer);
  }

  inject(fault: Fault): InjectedFault {
    const active: Active = { ...fault, remaining: fault.times ?? 1, hits: 0 };
    this.faults.push(active);
    return {
      get hits() {
        return active.hits;
      },
      remove: () => {
        const at = this.faults.indexOf(active);
        if (at >= 0) this.faults.splice(at, 1);
      },
    };
  }

  clear(): void {
    this.faults.length = 0;
    this.scripts.clear();
  }

  /**
   * A request arrived: tells the observers, and returns the function to call when it is
   * processed (if it is).
   */
  arrived(route: Route, keys: ReadonlySet<string> = new Set()): () => void {
    const onProcessed = [...this.observers].flatMap((observer) => observer(route, keys) ?? []);
    return () => {
      for (const processed of onProcessed) processed();
    };
  }

  /** Takes the first active fault for `route` (and one of `keys`), counting it as used. */
  take(route: Route, keys: ReadonlySet<string> = new Set()): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.route === route &&
        f.remaining > 0 &&
        (f.key === undefined || keys.has(f.key)) &&
        this.random() < (f.probability ?? 1),
    );
    if (fault) {
      fault.remaining -= 1;
      fault.hits += 1;
      return fault;
    }
    return this.scripted(route, keys);
  }

  private scripted(route: Route, keys: ReadonlySet<string>): Fault | undefined {
    for (const key of keys) {
      const script = this.scripts.get(`${route} ${key}`);
      if (!script) continue;
      const at = script.used++;
      const last = script.answers.length - 1;
      const answer =
        at <= last ? script.answers[at] : script.repeatLast ? script.answers[last] : null;
      return answer ? { ...answer, route } : undefined;
    }
    return undefined;
  }
}
