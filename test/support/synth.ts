/**
 * The CDK app as `cdk synth` builds it from cdk.json's context (environment `dev`), with
 * `overrides` applied to that environment; and readers for what the worker tests inspect.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
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

export interface Synthesized {
  worker: Template;
  monitoring: Template;
}

export function synth(overrides: Record<string, unknown> = {}): Synthesized {
  const built = synthApp(overrides);
  return {
    worker: Template.fromStack(built.worker),
    monitoring: Template.fromStack(built.monitoring),
  };
}

/** The parts of a synthesized container definition these tests read. */
export interface ContainerJson {
  Name: string;
  Essential?: boolean;
  Image?: unknown;
  Environment?: Array<{ Name: string; Value: unknown }>;
  LinuxParameters?: { InitProcessEnabled?: boolean };
  RestartPolicy?: { Enabled?: boolean };
}

/** Every container of every task definition in the template. */
export function containers(template: Template): ContainerJson[] {
  return Object.values(template.findResources('AWS::ECS::TaskDefinition')).flatMap(
    (task) => task.Properties.ContainerDefinitions as ContainerJson[],
  );
}

/** A container's plain environment variable; CloudFormation joins become text with `<ref>`. */
export function envOf(container: ContainerJson | undefined, name: string): string | undefined {
  const value = container?.Environment?.find((e) => e.Name === name)?.Value;
  return value === undefined ? undefined : flatten(value);
}

function flatten(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as { 'Fn::Join'?: [string, unknown[]] })['Fn::Join'];
  if (join) return join[1].map(flatten).join(join[0]);
  return '<ref>';
}
