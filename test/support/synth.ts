/**
 * The CDK app as `cdk synth` builds it from cdk.json's context (environment `dev`), with
 * `overrides` applied to that environment; and readers for what the worker tests inspect.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp } from '../../lib/app';

const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'cdk.json'), 'utf8'));

/** cdk.json's `dev` environment, as the app reads it. */
export const devEnvironment: Record<string, unknown> = cdkJson.context.environments.dev;

export interface Synthesized {
  worker: Template;
  monitoring: Template;
}

export function synth(overrides: Record<string, unknown> = {}): Synthesized {
  const environments = { dev: { ...devEnvironment, ...overrides } };
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: { ...cdkJson.context, environments, env: 'dev' },
  });
  const built = buildApp(app);
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
