import { existsSync, readdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CompleteOrderResult } from '../common/workflow-safe/saga-contract';
import { spawnWorker, type WorkerProcess, waitHealthy } from '../sandbox/worker-process';
import { parseDockerfile, stageNamed } from './support/dockerfile';
import { type Harness, startHarness, workerEnv } from './support/harness';
import { buildRuntimeTree, type RuntimeTree } from './support/image-tree';

const ROOT = join(import.meta.dirname, '..');
const DOCKERFILE = join(ROOT, 'worker', 'Dockerfile');
const HOST_ARCH = process.arch === 'arm64' ? 'arm64' : 'amd64';
const OTHER_ARCH = HOST_ARCH === 'arm64' ? 'amd64' : 'arm64';
/** What the worker never loads: deploy-time tools, Lambda-only libraries, build tools. */
const NOT_IN_IMAGE = [
  'aws-cdk-lib',
  'constructs',
  'aws-cdk',
  'cdk-nag',
  '@aws-sdk',
  '@middy',
  '@aws-lambda-powertools',
  'zod',
  'esbuild',
  'typescript',
  'vitest',
  'node',
];
/** Upper bound of the runtime tree's size (about 110 MB; see README, worker image size). */
const SIZE_BUDGET_MB = 130;

function sizeOnDisk(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.size;
  return readdirSync(path).reduce((sum, entry) => sum + sizeOnDisk(join(path, entry)), 0);
}

/** True when some folder above `dir` has a node_modules that could hide a missing package. */
function hasNodeModulesAbove(dir: string): boolean {
  for (let parent = dirname(dir); parent !== dirname(parent); parent = dirname(parent)) {
    if (existsSync(join(parent, 'node_modules'))) return true;
  }
  return false;
}

/**
 * The worker image, rebuilt as worker/Dockerfile describes it (the dependency stage run
 * here, production-only, for the target architecture), then run: a dependency the worker
 * loads but the image lacks fails this suite.
 */
describe('Worker image: the runtime tree the Dockerfile describes', () => {
  let tree: RuntimeTree;
  let h: Harness;
  let worker: WorkerProcess | undefined;

  beforeAll(async () => {
    tree = buildRuntimeTree({
      context: ROOT,
      dockerfile: DOCKERFILE,
      targetArch: HOST_ARCH,
      prebuilt: { build: ROOT },
    });
    h = await startHarness({ noWorker: true });
  });
  afterAll(async () => {
    worker?.child.kill('SIGKILL');
    await h?.close();
    tree?.remove();
  });

  it('runs every RUN on the build platform and builds the worker the way `npm run build` does', () => {
    const stages = parseDockerfile(DOCKERFILE);
    for (const stage of stages.filter((s) => s.instructions.some((i) => i.op === 'RUN'))) {
      expect(stage.platform, `stage ${stage.name}`).toBe('$BUILDPLATFORM');
    }
    const build = stageNamed(stages, 'build').instructions.filter((i) => i.op === 'RUN');
    expect(build.at(-1)?.text).toBe('node scripts/build.ts worker');
    expect(tree.skipped).toEqual([
      '--from=certs /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt',
    ]);
  });

  it('holds the worker bundle and its production dependencies, and nothing the worker does not run', () => {
    expect(readdirSync(tree.dir).sort()).toEqual(['dist', 'node_modules', 'package.json']);
    expect(readdirSync(join(tree.dir, 'dist'))).toEqual(['worker']);
    const modules = join(tree.dir, 'node_modules');
    for (const name of NOT_IN_IMAGE) expect(existsSync(join(modules, name)), name).toBe(false);
    const releases = join(modules, '@temporalio', 'core-bridge', 'releases');
    expect(readdirSync(releases)).toEqual([
      HOST_ARCH === 'arm64' ? 'aarch64-unknown-linux-gnu' : 'x86_64-unknown-linux-gnu',
    ]);
    expect(sizeOnDisk(tree.dir) / 1e6).toBeLessThan(SIZE_BUDGET_MB);
  });

  it('completes a saga with nothing but that tree', async () => {
    expect(hasNodeModulesAbove(tree.dir)).toBe(false);
    worker = spawnWorker(workerEnv(h), {
      main: join(tree.dir, 'dist', 'worker', 'main.js'),
      cwd: tree.dir,
    });
    await waitHealthy(await worker.started);
    const { seeded, handle } = await h.seedAndStart();
    const result = (await handle.result()) as CompleteOrderResult;
    expect(result.outcome).toBe('COMPLETED');
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
  });

  it(`installs the ${OTHER_ARCH} tree on this ${HOST_ARCH} machine without emulation`, () => {
    const other = buildRuntimeTree({
      context: ROOT,
      dockerfile: DOCKERFILE,
      targetArch: OTHER_ARCH,
      prebuilt: { build: ROOT },
    });
    const modules = join(other.dir, 'node_modules');
    const [bridge, swc] =
      OTHER_ARCH === 'arm64'
        ? ['aarch64-unknown-linux-gnu', 'core-linux-arm64-gnu']
        : ['x86_64-unknown-linux-gnu', 'core-linux-x64-gnu'];
    try {
      const releases = readdirSync(join(modules, '@temporalio', 'core-bridge', 'releases'));
      expect(releases).toEqual([bridge]);
      const natives = readdirSync(join(modules, '@swc')).filter((p) => p.startsWith('core-linux'));
      expect(natives).toEqual([swc]);
    } finally {
      other.remove();
    }
  });
});
