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

export class FaultTable {
  private readonly faults: Active[] = [];

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
  }

  /** Takes the first active fault for `route` (and one of `keys`), counting it as used. */
  take(route: Route, keys: ReadonlySet<string> = new Set()): Fault | undefined {
    const fault = this.faults.find(
      (f) =>
        f.route === route &&
        f.remaining > 0 &&
        (f.key === undefined || keys.has(f.key)) &&
        Math.random() < (f.probability ?? 1),
    );
    if (fault) {
      fault.remaining -= 1;
      fault.hits += 1;
    }
    return fault;
  }
}
