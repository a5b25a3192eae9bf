/**
 * Build: the worker entry point and the local stack with esbuild (dependencies stay in
 * node_modules: the Temporal core bridge is native), and the workflow bundle with
 * Temporal's bundler, so the worker starts without bundling at run time. Every file is
 * written whole and renamed into place: a process starting meanwhile sees old or new.
 */
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { bundleWorkflowCode } from '@temporalio/worker';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');

async function writeAtomically(path: string, contents: string | Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, contents);
  await rename(temporary, path);
}

async function bundleEntry(entry: string, outfile: string): Promise<void> {
  const result = await build({
    entryPoints: [join(root, entry)],
    outfile: join(root, outfile),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node24',
    packages: 'external',
    sourcemap: true,
    write: false,
    logLevel: 'warning',
  });
  await Promise.all(result.outputFiles.map((file) => writeAtomically(file.path, file.contents)));
}

/** `node scripts/build.ts worker` (the image) builds the worker only. */
const workerOnly = process.argv.includes('worker');
await bundleEntry('worker/main.ts', 'dist/worker/main.js');
if (!workerOnly) await bundleEntry('sandbox/local-stack.ts', 'dist/local/start.js');
const { code } = await bundleWorkflowCode({
  workflowsPath: join(root, 'worker', 'workflows', 'index.ts'),
  logger: { trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error, log() {} },
});
await writeAtomically(join(root, 'dist', 'worker', 'workflow-bundle.js'), code);
console.log(`built dist/worker${workerOnly ? '' : ' and dist/local'}`);
