/** The CDK app as `cdk synth` builds it from cdk.json, for template tests. */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp, type SagaApp } from '../../lib/app';

export const cdkJson = JSON.parse(
  readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8'),
);
export const devEnvironment = cdkJson.context.environments.dev;

/**
 * The app from cdk.json's context with `overrides` applied to the dev environment.
 * `bundle: false` skips esbuild (the functions' code is not what these tests look at),
 * which keeps template tests light on a shared machine.
 */
export function synthApp(
  overrides: Record<string, unknown> = {},
  options: { bundle?: boolean } = {},
): SagaApp {
  const environments = { dev: { ...devEnvironment, ...overrides } };
  const context: Record<string, unknown> = { ...cdkJson.context, environments, env: 'dev' };
  if (options.bundle === false) context['aws:cdk:bundling-stacks'] = [];
  const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cdk-')), context });
  return buildApp(app);
}
