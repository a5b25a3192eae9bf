/**
 * Build: the worker entry point with esbuild (dependencies stay in node_modules: the
 * Temporal core bridge is native) and the workflow bundle with Temporal's bundler, so the
 * worker starts without bundling at run time.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
const outDir = join(root, 'dist', 'worker');

await mkdir(outDir, { recursive: true });
await build({
  entryPoints: [join(root, 'worker', 'main.ts')],
  outfile: join(outDir, 'main.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
const { code } = await bundleWorkflowCode({
  workflowsPath: join(root, 'worker', 'workflows', 'index.ts'),
  logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
});
await writeFile(join(outDir, 'workflow-bundle.js'), code);
console.log(`built ${join('dist', 'worker')}: main.js, workflow-bundle.js`);
