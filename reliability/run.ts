/**
 * `npm run test:reliability`: every scenario on loopback, then a summary table printed
 * and written to reports/reliability.{md,json}. Exits 1 on any invariant violation.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { determinism } from './determinism';
import { ReliabilityEnvironment } from './environment';
import type { ScenarioResult } from './helpers';
import { hostileInput } from './hostile';
import { interruptions } from './interruptions';
import { longOutage, publishErrors } from './payment-outages';
import { downstreamFaults, duplicates, load, serverRestart, workerCrashes } from './scenarios';
import { supportChanges } from './support-changes';

Runtime.install({ logger: new DefaultLogger('ERROR') });

function table(results: ScenarioResult[]): string {
  const header =
    '| scenario | orders | faults injected | outcomes | invariant violations | seconds |\n| --- | ---: | --- | --- | ---: | ---: |';
  const rows = results.map(
    (r) =>
      `| ${r.scenario} | ${r.orders} | ${r.faults} | ${r.outcomes} | ${r.violations.length} | ${r.seconds} |`,
  );
  return [header, ...rows].join('\n');
}

/** The scenarios, in order; RELIABILITY_ONLY=name,name runs a subset (while developing). */
function scenarios(env: ReliabilityEnvironment): Array<[string, () => Promise<ScenarioResult>]> {
  const all: Array<[string, () => Promise<ScenarioResult>]> = [
    // First: it checks that no saga starts and no service is called, while nothing else runs.
    ['hostile', () => hostileInput(env)],
    ['interruptions', () => interruptions(env)],
    ['support', () => supportChanges(env)],
    ['outage', () => longOutage(env)],
    ['publish', () => publishErrors(env)],
    ['crashes', () => workerCrashes(env)],
    ['restart', () => serverRestart(env)],
    ['faults5', () => downstreamFaults(env, 0.05)],
    ['faults40', () => downstreamFaults(env, 0.4)],
    ['duplicates', () => duplicates(env)],
    ['load', () => load(env)],
    ['determinism', () => determinism(env)],
  ];
  const only = process.env.RELIABILITY_ONLY?.split(',').filter(Boolean);
  return only ? all.filter(([name]) => only.includes(name)) : all;
}

async function main(): Promise<number> {
  const env = await ReliabilityEnvironment.start();
  const results: ScenarioResult[] = [];
  try {
    for (const [, scenario] of scenarios(env)) {
      const result = await scenario();
      results.push(result);
      console.log(
        `${result.violations.length === 0 ? 'ok  ' : 'FAIL'} ${result.scenario} (${result.seconds}s): ${result.outcomes}`,
      );
      for (const v of result.violations.slice(0, 10)) console.log(`       ${v}`);
    }
  } finally {
    await env.close();
  }
  const summary = table(results);
  const violations = results.reduce((n, r) => n + r.violations.length, 0);
  console.log(`\n${summary}\n`);
  const dir = join(import.meta.dirname, '..', 'reports');
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'reliability.md'), `${summary}\n`);
  await writeFile(join(dir, 'reliability.json'), `${JSON.stringify(results, null, 2)}\n`);
  const failed = results.filter((r) => r.violations.length > 0).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return violations === 0 ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
