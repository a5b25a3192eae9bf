import { sleep } from '@temporalio/workflow';

export interface WaitOptions {
  /** Total time to keep checking, from the first check. */
  windowMs: number;
  initialIntervalMs: number;
  maxIntervalMs: number;
}

/**
 * Calls `check` until it returns a value (`undefined` means "not yet: keep waiting"),
 * sleeping with exponential backoff between calls (durable timers: a worker restart does
 * not reset the window). Returns undefined when the window ends first.
 */
export async function pollWithBackoff<T>(
  check: () => Promise<T | undefined>,
  options: WaitOptions,
): Promise<T | undefined> {
  const deadline = Date.now() + options.windowMs;
  let interval = options.initialIntervalMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    const remaining = deadline - Date.now();
    if (remaining <= 0) return undefined;
    await sleep(Math.min(interval, remaining));
    interval = Math.min(interval * 2, options.maxIntervalMs);
  }
}
