/**
 * `npm run bench`: trigger latency, saga throughput, Lambda cold start and worker memory,
 * each next to its floor or ceiling measured in the same run on the same machine. Prints
 * tables and writes reports/bench.json. Not part of the tests: figures, not verdicts.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { startSandbox } from '../sandbox';
import { startDevServer } from '../sandbox/temporal-server';
import { coldStartSection, memorySection, RUNS, sagaSection, triggerSection } from './sections';
import { type Figure, show } from './stats';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const ratio = (a: Figure, b: Figure) => (a.median / b.median).toFixed(2);
const TASK_MEMORY_MIB = 1024;

async function main() {
  const server = await startDevServer({ ignoreExisting: true });
  const sandbox = await startSandbox();
  sandbox.state.settleDelayMs = 0;
  const connection = await Connection.connect({ address: server.address });
  const client = new Client({ connection, namespace: 'default' });
  const env = {
    TEMPORAL_ADDRESS: server.address,
    TEMPORAL_TASK_QUEUE: 'bench-unpolled',
    AUTH_MODE: 'none',
    POWERTOOLS_LOG_LEVEL: 'ERROR',
  };
  Object.assign(process.env, env);
  const machine = {
    cpu: cpus()[0]?.model,
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  console.log(
    `machine: ${JSON.stringify(machine)}; each figure: median of ${RUNS} runs (min–max)\n`,
  );

  const trigger = await triggerSection(client);
  console.log(
    'Trigger: POST /triggerCompleteOrderWorkflow through the handler vs a bare client.workflow.start (ms, req/s)',
  );
  console.log(
    '| concurrency | handler p50 | p95 | p99 | req/s | floor p50 | p95 | p99 | req/s | ratio p50/p95/p99 |',
  );
  console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |');
  for (const t of trigger) {
    const h = t.handler;
    const f = t.floor;
    console.log(
      `| ${t.concurrency} | ${show(h.p50)} | ${show(h.p95)} | ${show(h.p99)} | ${show(h.rps, 0)} | ${show(f.p50)} | ${show(f.p95)} | ${show(f.p99)} | ${show(f.rps, 0)} | ${ratio(h.p50, f.p50)}/${ratio(h.p95, f.p95)}/${ratio(h.p99, f.p99)} |`,
    );
  }

  const saga = await sagaSection(client, server.address, sandbox);
  console.log(
    `\nSaga: ${saga.n} sagas started at once, one worker, vs the same number of no-op workflows (7 no-op activities each)`,
  );
  console.log(
    '| workflow | completed/s | e2e p50 (ms) | e2e p99 (ms) |\n| --- | ---: | ---: | ---: |',
  );
  console.log(
    `| CompleteOrderWorkflow | ${show(saga.saga.perSecond)} | ${show(saga.saga.p50, 0)} | ${show(saga.saga.p99, 0)} |`,
  );
  console.log(
    `| no-op ceiling | ${show(saga.ceiling.perSecond)} | ${show(saga.ceiling.p50, 0)} | ${show(saga.ceiling.p99, 0)} |`,
  );
  console.log(
    `throughput ratio: ${ratio(saga.saga.perSecond, saga.ceiling.perSecond)} (target >= 0.8)`,
  );

  const dir = mkdtempSync(join(tmpdir(), 'bench-bundles-'));
  const cold = await coldStartSection(dir, env);
  console.log(
    '\nCold start: esbuild bundles as the CDK builds them; fresh node process: import + first request (ms)',
  );
  console.log(
    '| bundle | size (KiB) | gzip (KiB) | loads @temporalio | first request (ms) |\n| --- | ---: | ---: | --- | ---: |',
  );
  for (const c of cold) {
    console.log(
      `| ${c.name} | ${(c.bytes / 1024).toFixed(0)} | ${(c.gzip / 1024).toFixed(0)} | ${c.loadsTemporal ? 'yes' : 'no'} | ${c.ms ? show(c.ms, 0) : '-'} |`,
    );
  }

  const memory = await memorySection(client, server.address, sandbox);
  console.log(
    `\nMemory: worker process RSS (MiB); task memory in the stack: ${TASK_MEMORY_MIB} MiB`,
  );
  console.log(
    '| idle | ' +
      memory.n +
      ' sagas in flight | per cached saga (KiB) | share of task memory |\n| ---: | ---: | ---: | ---: |',
  );
  console.log(
    `| ${memory.idle.toFixed(0)} | ${memory.loaded.toFixed(0)} | ${memory.perWorkflowKiB.toFixed(0)} | ${((memory.loaded / TASK_MEMORY_MIB) * 100).toFixed(0)}% |`,
  );

  const out = join(import.meta.dirname, '..', 'reports');
  mkdirSync(out, { recursive: true });
  writeFileSync(
    join(out, 'bench.json'),
    `${JSON.stringify({ machine, trigger, saga, cold, memory }, null, 2)}\n`,
  );
  console.log('\nwritten: reports/bench.json');
  await connection.close();
  await sandbox.close();
  await server.teardown();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
