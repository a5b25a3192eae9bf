import { sleep } from '@temporalio/workflow';

interface Window {
  /** Total time to keep checking, from the first check. */
  windowMs: number;
  /** The first sleep, and the shortest. */
  initialIntervalMs: number;
}

/**
 * Sleeps `initialIntervalMs` plus `delayFraction` of the time already waited: each check
 * is about `1 + delayFraction` times as far from the start as the one before, so checks
 * grow with the logarithm of the window, never linearly, and something that happens after
 * `t` of waiting is seen at most `initialIntervalMs + delayFraction * t` later (and at the
 * window's end). A fraction of 1 is plain doubling without a cap. Figures per fraction:
 * docs/performance.md, "Temporal actions per saga".
 */
export interface ProportionalBackoff extends Window {
  delayFraction: number;
}

/**
 * The sleep after the one that ended `waitedMs` into the wait. Timer durations only:
 * changing them does not change the commands a history replays.
 */
export function nextIntervalMs(options: ProportionalBackoff, waitedMs: number): number {
  return options.initialIntervalMs + options.delayFraction * waitedMs;
}

/**
 * Calls `check` until it returns a value (`undefined` means "not yet: keep waiting"), sleeping with backoff between calls (durable
 * timers: a worker restart does not reset the window). Each check after a sleep costs two
 * Temporal Cloud Actions (the timer and the activity). Returns undefined when the window
 * ends first; the last check is at the window's end.
 */
export async function pollWithBackoff<T>(
  check: () => Promise<T | undefined>,
  options: ProportionalBackoff,
): Promise<T | undefined> {
  const started = Date.now();
  const deadline = started + options.windowMs;
  let interval = options.initialIntervalMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return undefined;
    await sleep(Math.min(interval, remaining));
    interval = nextIntervalMs(options, Date.now() - started);
  }
}
