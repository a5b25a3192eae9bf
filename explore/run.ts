/**
 * `npm run test:explore`: generated scenarios against the real saga on a Temporal dev
 * server, side by side in lanes, each judged by the money invariants. A failure prints its
 * seed, its index and a shrunk scenario (written to reports/explore/<seed>-<i>.json, to
 * replay with --replay). Ends with "N passed, N failed"; exits 1 on any violation.
 *
 *   --seed <n|random>[,<n>...]  seeds to draw from (default: the CI seeds below)
 *   --runs N                    scenarios per seed (default 50)
 *   --lanes N                   scenarios side by side, one worker each (default 6)
 *   --index N                   only scenario N of each seed (to shrink one found earlier)
 *   --replay <file.json>        play one saved scenario (and nothing else)
 *   --timeline                  with --replay: print the order's requests and ledger too
 *   --shrink-max N              shrink at most N failures (default 3; 0: none)
 *   --fail-fast                 stop at the first violation: the scenarios not yet started
 *                               are not played (explore/mutants.sh: is a mutant caught?)
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { type Played, play } from './play';
import { generate, type Scenario } from './scenario';
import { shrink, signature } from './shrink';
import { Lane, World } from './world';

Runtime.install({ logger: new DefaultLogger('ERROR') });

/** The CI set: 6 seeds × 50 scenarios. */
export const CI_SEEDS = [101, 202, 303, 404, 505, 606];

interface Options {
  seeds: number[];
  runs: number;
  lanes: number;
  replay: string | undefined;
  shrinkMax: number;
  index: number | undefined;
  failFast: boolean;
}

function parseArgs(argv: string[]): Options {
  const value = (name: string) => {
    const at = argv.indexOf(name);
    return at >= 0 ? argv[at + 1] : undefined;
  };
  const seedArg = value('--seed');
  const seeds = seedArg
    ? seedArg
        .split(',')
        .map((s) => (s === 'random' ? Math.floor(Math.random() * 2 ** 31) : Number(s)))
    : CI_SEEDS;
  if (seeds.some((s) => !Number.isSafeInteger(s))) throw new Error(`bad --seed ${seedArg}`);
  return {
    seeds,
    runs: Number(value('--runs') ?? 50),
    lanes: Number(value('--lanes') ?? 6),
    replay: value('--replay'),
    shrinkMax: Number(value('--shrink-max') ?? 3),
    index: value('--index') === undefined ? undefined : Number(value('--index')),
    failFast: argv.includes('--fail-fast'),
  };
}

interface Job {
  seed: number;
  index: number;
  scenario: Scenario;
}

interface Failure extends Job {
  played: Played;
}

/** Lanes take jobs from one queue; each lane plays one scenario at a time. */
class Pool {
  private readonly idle: Lane[] = [];
  private readonly waiting: Array<(lane: Lane) => void> = [];

  constructor(lanes: Lane[]) {
    this.idle.push(...lanes);
  }

  async with<T>(fn: (lane: Lane) => Promise<T>): Promise<T> {
    const lane =
      this.idle.pop() ?? (await new Promise<Lane>((resolve) => this.waiting.push(resolve)));
    try {
      return await fn(lane);
    } finally {
      const next = this.waiting.shift();
      if (next) next(lane);
      else this.idle.push(lane);
    }
  }
}

const dir = join(import.meta.dirname, '..', 'reports', 'explore');

async function save(failure: Failure, shrunk: Scenario, confirmed: boolean | null) {
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${failure.seed}-${failure.index}.json`);
  const body = {
    seed: failure.seed,
    index: failure.index,
    violations: failure.played.violations,
    confirmed,
    scenario: shrunk,
    log: failure.played.log,
    timeline: failure.played.timeline,
  };
  await writeFile(file, `${JSON.stringify(body, null, 2)}\n`);
  return file;
}

async function replay(pool: Pool, world: World, file: string): Promise<number> {
  const saved = JSON.parse(await readFile(file, 'utf8')) as { scenario?: Scenario } & Scenario;
  const scenario = saved.scenario ?? saved;
  const played = await pool.with((lane) => play(world, lane, scenario));
  for (const line of played.log) console.log(`  ${line}`);
  for (const v of played.violations) console.log(`  violation: ${v}`);
  for (const v of played.contractLimit) console.log(`  contract-limit: ${v}`);
  for (const v of played.operatorError) console.log(`  operator-error: ${v}`);
  if (process.argv.includes('--timeline')) for (const t of played.timeline) console.log(`  | ${t}`);
  const failed = played.violations.length > 0 ? 1 : 0;
  console.log(`replayed ${file} in ${played.seconds}s: outcome ${played.outcome}`);
  console.log(`${1 - failed} passed, ${failed} failed`);
  return failed;
}

async function explore(pool: Pool, world: World, options: Options, lanes: number) {
  const indexes =
    options.index === undefined
      ? Array.from({ length: options.runs }, (_, index) => index)
      : [options.index];
  const jobs: Job[] = options.seeds.flatMap((seed) =>
    indexes.map((index) => ({ seed, index, scenario: generate(seed, index) })),
  );
  const started = Date.now();
  const failures: Failure[] = [];
  let done = 0;
  let contractLimit = 0;
  let operatorError = 0;
  const outcomes = new Map<string, number>();
  let stopped = false;
  await Promise.all(
    jobs.map((job) =>
      pool.with(async (lane) => {
        if (stopped) return;
        const played = await play(world, lane, job.scenario);
        done += 1;
        contractLimit += played.contractLimit.length > 0 ? 1 : 0;
        operatorError += played.operatorError.length > 0 ? 1 : 0;
        for (const v of [...played.contractLimit, ...played.operatorError]) {
          console.log(`apart: seed ${job.seed} scenario ${job.index}: ${v}`);
        }
        outcomes.set(played.outcome, (outcomes.get(played.outcome) ?? 0) + 1);
        if (played.violations.length > 0) {
          failures.push({ ...job, played });
          console.log(
            `FAIL seed ${job.seed} scenario ${job.index} (${played.seconds}s): ${played.violations.join('; ')}`,
          );
          if (options.failFast && !stopped) {
            stopped = true;
            const s = Math.round((Date.now() - started) / 1000);
            console.log(
              `fail-fast: first violation after ${done} scenarios in ${s}s; the rest not started`,
            );
          }
        }
        if (done % 25 === 0) {
          const s = Math.round((Date.now() - started) / 1000);
          console.log(`... ${done}/${jobs.length} scenarios in ${s}s, ${failures.length} failed`);
        }
      }),
    ),
  );
  const seconds = Math.round((Date.now() - started) / 1000);
  console.log(
    `\nscenarios: ${done} in ${seconds}s on ${lanes} lanes (seeds ${options.seeds.join(',')}; ` +
      `outcomes ${[...outcomes].map(([o, n]) => `${n} ${o}`).join(', ')}; ${contractLimit} contract-limit, ${operatorError} operator-error)`,
  );
  return { played: done, failures };
}

async function report(
  pool: Pool,
  world: World,
  failures: Failure[],
  options: Options,
  lanes: number,
) {
  const kinds = new Map<string, string[]>();
  for (const f of failures) {
    for (const sig of new Set(f.played.violations.map(signature))) {
      kinds.set(sig, [...(kinds.get(sig) ?? []), `${f.seed}/${f.index}`]);
    }
  }
  console.log('\nviolations by kind (seed/scenario):');
  for (const [sig, where] of kinds)
    console.log(`  ${where.length}x ${sig}: ${where.slice(0, 6).join(' ')}`);
  failures.sort((a, b) => a.seed - b.seed || a.index - b.index);
  for (const [n, failure] of failures.entries()) {
    const wanted = new Set(failure.played.violations.map(signature));
    const fails = async (s: Scenario) => {
      const again = await pool.with((lane) => play(world, lane, s));
      return again.violations.some((v) => wanted.has(signature(v)));
    };
    let shrunk = failure.scenario;
    let confirmed: boolean | null = null;
    if (n < options.shrinkMax) {
      const result = await shrink(failure.scenario, fails, { parallel: lanes, maxRuns: 48 });
      shrunk = result.scenario;
      confirmed = await fails(shrunk);
      console.log(
        `\nseed ${failure.seed} scenario ${failure.index}: shrunk in ${result.runs} runs, ${confirmed ? 'confirmed' : 'NOT confirmed'} by a re-run`,
      );
    } else {
      console.log(`\nseed ${failure.seed} scenario ${failure.index} (not shrunk):`);
    }
    console.log(`  violations: ${failure.played.violations.join('; ')}`);
    console.log(`  ${JSON.stringify(shrunk)}`);
    console.log(`  written to ${await save(failure, shrunk, confirmed)}`);
  }
}

async function main(): Promise<number> {
  const options = parseArgs(process.argv.slice(2));
  const world = await World.start(options.seeds[0] ?? 0);
  const laneCount = options.replay ? 1 : options.lanes;
  const lanes = Array.from({ length: laneCount }, (_, i) => new Lane(world, i));
  try {
    await Promise.all(lanes.map((lane) => lane.startWorker()));
    const pool = new Pool(lanes);
    if (options.replay) return await replay(pool, world, options.replay);
    const { played, failures } = await explore(pool, world, options, laneCount);
    await report(pool, world, failures, options, laneCount);
    console.log(`${played - failures.length} passed, ${failures.length} failed`);
    return failures.length > 0 ? 1 : 0;
  } finally {
    await Promise.all(lanes.map((lane) => lane.close()));
    await world.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
