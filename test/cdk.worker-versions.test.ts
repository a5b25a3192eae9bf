import type { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../lib/config';
import { containers, devEnvironment, envOf, synth } from './support/synth';

interface ResourceJson {
  Type: string;
  DependsOn?: string[];
  Properties: Record<string, unknown>;
}

function resources(template: Template, type: string): Array<[string, ResourceJson]> {
  const all = template.toJSON().Resources as Record<string, ResourceJson>;
  return Object.entries(all).filter(([, r]) => r.Type === type);
}

function versionResource(template: Template, action: 'check' | 'promote'): [string, ResourceJson] {
  const found = resources(template, 'Custom::WorkerVersion').find(
    ([, r]) => r.Properties.Action === action,
  );
  if (!found) throw new Error(`no ${action} resource`);
  return found;
}

/** Logical id of the ECS service whose task runs `buildId`. */
function serviceRunning(template: Template, buildId: string): [string, ResourceJson] {
  const tasks = resources(template, 'AWS::ECS::TaskDefinition');
  const [taskId] = tasks.find(([, t]) =>
    (t.Properties.ContainerDefinitions as Array<{ Environment: unknown[] }>).some((c) =>
      JSON.stringify(c.Environment).includes(buildId),
    ),
  ) ?? [''];
  const found = resources(template, 'AWS::ECS::Service').find(
    ([, s]) => JSON.stringify(s.Properties.TaskDefinition) === JSON.stringify({ Ref: taskId }),
  );
  if (!found) throw new Error(`no service runs ${buildId}`);
  return found;
}

const withVersioning = (versioning: Record<string, unknown>) => ({
  worker: { ...(devEnvironment.worker as object), versioning },
});

const { worker } = synth();
const [workerContainer] = containers(worker).filter((c) => c.Name === 'worker');
const buildId = envOf(workerContainer, 'TEMPORAL_WORKER_BUILD_ID') ?? '';
const earlier = 'a'.repeat(64);

describe('CDK: versioned worker deploys', () => {
  it('polls as the version its image is: the build id is the image hash', () => {
    expect(buildId).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.stringify(workerContainer?.Image)).toContain(`:${buildId}`);
    expect(envOf(workerContainer, 'TEMPORAL_WORKER_DEPLOYMENT_NAME')).toBe(
      'complete-order-saga-dev',
    );
  });

  it('checks before the worker service changes, and promotes once it and its scaling are in place', () => {
    const [checkId] = versionResource(worker, 'check');
    const [promoteId, promote] = versionResource(worker, 'promote');
    const [serviceId, service] = serviceRunning(worker, buildId);
    expect(service.DependsOn).toContain(checkId);
    expect(promote.DependsOn).toContain(serviceId);
    for (const [policyId] of resources(worker, 'AWS::ApplicationAutoScaling::ScalingPolicy')) {
      expect(promote.DependsOn).toContain(policyId);
    }
    expect(promote.Properties).toMatchObject({
      BuildId: buildId,
      TaskQueue: 'complete-order-queue',
    });
    expect(resources(worker, 'AWS::ECS::Service').map(([id]) => id)).not.toContain(promoteId);
  });

  it('keeps a draining version running from its own image, and the new one waits for it', () => {
    const { worker: template } = synth(
      withVersioning({ drainingBuildIds: [earlier], drainingTasks: 2 }),
    );
    const [drainingId, draining] = serviceRunning(template, earlier);
    expect(draining.Properties.DesiredCount).toBe(2);
    const drainingContainer = containers(template).find(
      (c) => c.Name === 'worker' && envOf(c, 'TEMPORAL_WORKER_BUILD_ID') === earlier,
    );
    expect(JSON.stringify(drainingContainer?.Image)).toContain(`:${earlier}`);
    const [, current] = serviceRunning(template, buildId);
    expect(current.DependsOn).toContain(drainingId);
    expect(versionResource(template, 'check')[1].Properties.KeepBuildIds).toEqual([earlier]);
    expect(versionResource(template, 'promote')[1].DependsOn).toContain(drainingId);
  });

  it('refuses to list the version being deployed as draining', () => {
    expect(() => synth(withVersioning({ drainingBuildIds: [buildId] }))).toThrow(
      `worker.versioning.drainingBuildIds lists ${buildId}, the version being deployed`,
    );
  });

  it.each([
    ['drainingBuildIds', { drainingBuildIds: ['v1'] }],
    ['drainingBuildIds', { drainingBuildIds: [earlier, earlier] }],
    ['drainingTasks', { drainingTasks: 0 }],
    ['deploymentName', { deploymentName: 'complete order' }],
    // A dev environment copied to prod would keep the dev name: the name must say its env.
    ['deploymentName', { deploymentName: 'complete-order-saga-staging' }],
  ])('names worker.versioning.%s when it is malformed', (name, versioning) => {
    expect(() =>
      loadDeploymentConfig({ dev: { ...devEnvironment, ...withVersioning(versioning) } }, 'dev'),
    ).toThrow(`environments.dev.worker.versioning.${name}`);
  });
});

describe('CDK: the Worker Deployment name', () => {
  it('is derived from the environment when cdk.json leaves it out, as it does', () => {
    expect(devEnvironment.worker?.versioning).not.toHaveProperty('deploymentName');
    const config = loadDeploymentConfig({ prod: devEnvironment }, 'prod');
    expect(config.workerOps.versioning.deploymentName).toBe('complete-order-saga-prod');
  });
});
