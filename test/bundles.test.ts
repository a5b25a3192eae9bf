import { join } from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');

async function inputsOf(entry: string): Promise<string[]> {
  const result = await build({
    entryPoints: [join(ROOT, entry)],
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    external: ['@aws-sdk/*'],
    logLevel: 'silent',
  });
  return Object.keys(result.metafile.inputs);
}

/** Cold starts (docs/performance.md): what each Lambda bundle must not carry. */
describe('Lambda bundles', () => {
  it('keeps the Temporal client (and everything else) out of the health handler', async () => {
    const inputs = await inputsOf('functions/health/handler.ts');
    expect(inputs.filter((i) => i.includes('node_modules'))).toEqual([]);
  });

  it('validates the trigger with zod/mini, not the full zod', async () => {
    const inputs = await inputsOf('functions/trigger/handler.ts');
    expect(inputs.some((i) => i.includes('zod/v4/mini'))).toBe(true);
    expect(inputs.filter((i) => /zod\/v4\/classic\//.test(i))).toEqual([]);
  });
});
