import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { synthApp } from './support/synth';

const ROOT = join(import.meta.dirname, '..');
const synthScript = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).scripts
  .synth as string;

/**
 * `npm run synth` prints no warning: the CDK CLI of this repository runs the synth script
 * exactly as written on a freshly synthesized assembly (so it checks the script's options,
 * the feature flags of cdk.json and every construct annotation, without bundling twice).
 */
describe('npm run synth', () => {
  it('runs without a CLI warning', () => {
    const assembly = synthApp({}, { bundle: false }).app.synth();
    const run = spawnSync('sh', ['-c', `${synthScript} --app "${assembly.directory}"`], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${join(ROOT, 'node_modules', '.bin')}:${process.env.PATH}` },
    });
    const output = `${run.stdout}${run.stderr}`;
    expect(output).toContain('Successfully synthesized');
    expect(output).not.toMatch(/warn|unknown option|feature flags are not configured/i);
    expect(run.status).toBe(0);
  });
});
