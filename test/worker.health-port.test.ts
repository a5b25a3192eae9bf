import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import {
  WORKER_HEALTH_PATH,
  WORKER_HEALTH_PORT,
  WORKER_HEALTH_PORT_VAR,
} from '../common/worker-health';
import { loadWorkerConfig } from '../worker/config';
import { parseDockerfile } from './support/dockerfile';
import { containers, synthApp } from './support/synth';
import { WORKER_SETTINGS } from './support/worker-settings';

const DOCKERFILE = join(import.meta.dirname, '..', 'worker', 'Dockerfile');
const VALID = WORKER_SETTINGS;

/** The worker's health port is common/worker-health.ts; everything else must agree with it. */
describe('Worker health port: one source (common/worker-health.ts)', () => {
  it('is what the worker listens on when nothing sets it', () => {
    expect(loadWorkerConfig(VALID, '/b.js').healthPort).toBe(WORKER_HEALTH_PORT);
  });

  it('is what worker/Dockerfile sets and exposes in the image it runs', () => {
    const runtime = parseDockerfile(DOCKERFILE).at(-1);
    const env = Object.fromEntries(
      (runtime?.instructions ?? [])
        .filter((i) => i.op === 'ENV')
        .flatMap((i) => i.words.map((w) => w.split('=', 2) as [string, string])),
    );
    expect(env[WORKER_HEALTH_PORT_VAR]).toBe(String(WORKER_HEALTH_PORT));
    const exposed = (runtime?.instructions ?? []).filter((i) => i.op === 'EXPOSE');
    expect(exposed.flatMap((i) => i.words)).toEqual([String(WORKER_HEALTH_PORT)]);
  });

  it('is what the ECS task sets and its health check asks', () => {
    const template = Template.fromStack(synthApp({}, { bundle: false }).worker);
    const [worker] = containers(template).filter((c) => c.Name === 'worker');
    const variables = Object.fromEntries((worker?.Environment ?? []).map((e) => [e.Name, e.Value]));
    expect(variables[WORKER_HEALTH_PORT_VAR]).toBe(String(WORKER_HEALTH_PORT));
    const [task] = Object.values(template.findResources('AWS::ECS::TaskDefinition'));
    const check = (
      task?.Properties.ContainerDefinitions as Array<{
        Name: string;
        HealthCheck?: { Command: string[] };
      }>
    )
      .find((c) => c.Name === 'worker')
      ?.HealthCheck?.Command.join(' ');
    expect(check).toContain(`http://127.0.0.1:${WORKER_HEALTH_PORT}${WORKER_HEALTH_PATH}`);
  });
});
