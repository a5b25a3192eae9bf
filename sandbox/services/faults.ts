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
  /** Destroy the connection instead of answering. */
  drop?: boolean;
  /**
   * Apply after the request was processed: the effect happens (a release is queued) but
   * the reply is late, lost or wrong, the case that makes retries dangerous.
   */
  afterProcessing?: boolean;
  /** Hit each matching request with this probability (default 1: every one, `times` times). */
  probability?: number;
}

export class FaultTable {
  private readonly faults: Array<Fault & { remaining: number }> = [];

  inject(fault: Fault): void {
    this.faults.push({ ...fault, remaining: fault.times ?? 1 });
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** Takes the first active fault for `route`, counting it as used. */
  take(route: Route): Fault | undefined {
    const fault = this.faults.find(
      (f) => f.route === route && f.remaining > 0 && Math.random() < (f.probability ?? 1),
    );
    if (fault) fault.remaining -= 1;
    return fault;
  }
}
