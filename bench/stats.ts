/** Percentiles, medians and spreads for the benchmark tables. */

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] as number;
}

export function sorted(values: number[]): number[] {
  return [...values].sort((a, b) => a - b);
}

/** Median of several runs with their spread (min–max). */
export interface Figure {
  median: number;
  min: number;
  max: number;
}

export function figure(runs: number[]): Figure {
  const s = sorted(runs);
  return { median: percentile(s, 50), min: s[0] ?? Number.NaN, max: s[s.length - 1] ?? Number.NaN };
}

export function show(f: Figure, digits = 1): string {
  return `${f.median.toFixed(digits)} (${f.min.toFixed(digits)}–${f.max.toFixed(digits)})`;
}

/** Runs `task` `total` times with `concurrency` in flight; returns each latency (ms) and the wall time. */
export async function closedLoop(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
) {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const t0 = performance.now();
        await task(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies: sorted(latencies), wallMs: performance.now() - started };
}
