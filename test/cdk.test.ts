import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { buildApp, type SagaApp } from '../lib/app';
import { loadDeploymentConfig } from '../lib/config';

const cdkJson = JSON.parse(readFileSync(join(import.meta.dirname, '..', 'cdk.json'), 'utf8'));
const devEnvironment = cdkJson.context.environments.dev;

/** The app as `cdk synth` builds it, from cdk.json's context, with `overrides` applied. */
function synthApp(overrides: Record<string, unknown> = {}): SagaApp {
  const environments = { dev: { ...devEnvironment, ...overrides } };
  const app = new App({
    outdir: mkdtempSync(join(tmpdir(), 'cdk-')),
    context: { ...cdkJson.context, environments, env: 'dev' },
  });
  return buildApp(app);
}

/** Asset hashes change with every code change: the snapshot is about structure. */
function redacted(template: Template): unknown {
  return JSON.parse(
    JSON.stringify(template.toJSON()).replace(/[0-9a-f]{64}(\.zip)?/g, '[asset-hash]'),
  );
}

const saga = synthApp();
const api = Template.fromStack(saga.api);
const worker = Template.fromStack(saga.worker);
const monitoring = Template.fromStack(saga.monitoring);
const all = [api, worker, monitoring];

describe('CDK app: synthesized templates', () => {
  it('matches the reviewed snapshot (asset hashes redacted)', () => {
    expect({
      api: redacted(api),
      worker: redacted(worker),
      monitoring: redacted(monitoring),
    }).toMatchSnapshot();
  });

  it('passes the cdk-nag AwsSolutions checks (synth would throw otherwise) and fails on a new finding', () => {
    expect(() => saga.app.synth()).not.toThrow();
    const app = synthApp().app;
    new Bucket(new Stack(app, 'Unreviewed'), 'Bucket');
    expect(() => app.synth()).toThrow();
  });

  it('puts the JWT authorizer on the trigger and completion routes, and none on /health', () => {
    const routes = api.findResources('AWS::ApiGatewayV2::Route');
    const byKey = Object.fromEntries(
      Object.values(routes).map((r) => [r.Properties.RouteKey, r.Properties]),
    );
    expect(byKey['POST /triggerCompleteOrderWorkflow']?.AuthorizationType).toBe('JWT');
    expect(byKey['GET /orders/{orderId}/completion']?.AuthorizationType).toBe('JWT');
    expect(byKey['GET /health']?.AuthorizationType ?? 'NONE').toBe('NONE');
    expect(Object.keys(byKey).sort()).toEqual([
      'GET /health',
      'GET /orders/{orderId}/completion',
      'POST /triggerCompleteOrderWorkflow',
    ]);
    api.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      JwtConfiguration: {
        Issuer: devEnvironment.apiAuth.issuer,
        Audience: devEnvironment.apiAuth.audience,
      },
    });
  });

  it('uses IAM authorization on the same routes when configured for a server caller', () => {
    const iam = Template.fromStack(synthApp({ apiAuth: { kind: 'iam' } }).api);
    const routes = Object.values(iam.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties,
    );
    const protectedRoutes = routes.filter((r) => r.RouteKey !== 'GET /health');
    expect(protectedRoutes.map((r) => r.AuthorizationType)).toEqual(['AWS_IAM', 'AWS_IAM']);
  });

  it('throttles the API and writes JSON access logs', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { Format: Match.stringLikeRegexp('^\\{.*requestId') },
    });
  });

  it('runs every function of ours on Node 24, arm64', () => {
    // Ours set NODE_OPTIONS; CDK's own custom-resource functions (VPC default SG) do not.
    const ours = {
      Environment: { Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps' }) },
    };
    const functions = Object.values(
      api.findResources('AWS::Lambda::Function', { Properties: ours }),
    ).concat(Object.values(worker.findResources('AWS::Lambda::Function', { Properties: ours })));
    expect(functions).toHaveLength(6);
    for (const f of functions) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
    }
  });

  it('never puts the Temporal credential in a plain environment', () => {
    for (const template of [api, worker]) {
      for (const f of Object.values(template.findResources('AWS::Lambda::Function'))) {
        const vars = f.Properties.Environment?.Variables ?? {};
        expect(Object.keys(vars)).not.toContain('TEMPORAL_API_KEY');
      }
    }
    const [task] = Object.values(worker.findResources('AWS::ECS::TaskDefinition'));
    const container = task?.Properties.ContainerDefinitions[0];
    const plain = container.Environment.map((e: { Name: string }) => e.Name);
    expect(plain.filter((name: string) => /API_KEY|KEY_DATA|CERT_DATA|SECRET/.test(name))).toEqual(
      [],
    );
    expect(container.Secrets.map((s: { Name: string }) => s.Name)).toEqual(['TEMPORAL_API_KEY']);
  });

  it('gives mTLS certificate and key to the worker as secrets too', () => {
    const mtls = {
      ...devEnvironment.temporal,
      auth: { kind: 'mtls', secretName: 'complete-order/mtls' },
    };
    const [task] = Object.values(
      Template.fromStack(synthApp({ temporal: mtls }).worker).findResources(
        'AWS::ECS::TaskDefinition',
      ),
    );
    const names = task?.Properties.ContainerDefinitions[0].Secrets.map(
      (s: { Name: string }) => s.Name,
    );
    expect(names).toEqual(['TEMPORAL_TLS_CLIENT_CERT_DATA', 'TEMPORAL_TLS_CLIENT_KEY_DATA']);
  });

  it("stops the worker container no sooner than the worker's shutdown grace allows", () => {
    const [task] = Object.values(worker.findResources('AWS::ECS::TaskDefinition'));
    const container = task?.Properties.ContainerDefinitions[0];
    const graceMs = Number(
      container.Environment.find((e: { Name: string }) => e.Name === 'SHUTDOWN_GRACE_MS').Value,
    );
    expect(container.StopTimeout * 1000).toBeGreaterThan(graceMs);
    expect(container.StopTimeout).toBeLessThanOrEqual(120);
    expect(container.HealthCheck.Command.join(' ')).toContain('/health');
  });

  it('rolls back failed deployments and scales the worker on CPU and on the backlog', () => {
    worker.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      },
    });
    const policies = Object.values(
      worker.findResources('AWS::ApplicationAutoScaling::ScalingPolicy'),
    );
    const tracked = policies.map((p) => p.Properties.TargetTrackingScalingPolicyConfiguration);
    expect(
      tracked.some(
        (t) =>
          t?.PredefinedMetricSpecification?.PredefinedMetricType ===
          'ECSServiceAverageCPUUtilization',
      ),
    ).toBe(true);
    expect(
      tracked.some(
        (t) => t?.CustomizedMetricSpecification?.MetricName === 'ApproximateBacklogCount',
      ),
    ).toBe(true);
    worker.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  });

  it('alarms on API 5xx, Lambda errors, missing worker tasks and backlog age, to an SNS topic', () => {
    const alarms = Object.values(monitoring.findResources('AWS::CloudWatch::Alarm'));
    const descriptions = alarms.map((a) => a.Properties.AlarmDescription as string);
    for (const what of [
      'API answered 5xx',
      'Lambda Trigger failed',
      'fewer worker tasks run than desired',
      'wait over 5 minutes',
    ]) {
      expect(descriptions.some((d) => d.includes(what))).toBe(true);
    }
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toHaveLength(1);
    monitoring.resourceCountIs('AWS::SNS::Topic', 1);
    monitoring.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
  });

  it('sets a retention on every log group', () => {
    for (const template of all) {
      for (const group of Object.values(template.findResources('AWS::Logs::LogGroup'))) {
        expect(group.Properties.RetentionInDays).toBe(30);
      }
    }
  });

  it('needs no NAT and gives the worker a public IP when natGateways is 0', () => {
    const noNat = Template.fromStack(
      synthApp({ network: { kind: 'new', maxAzs: 2, natGateways: 0 } }).worker,
    );
    noNat.resourceCountIs('AWS::EC2::NatGateway', 0);
    noNat.hasResourceProperties('AWS::ECS::Service', {
      NetworkConfiguration: { AwsvpcConfiguration: { AssignPublicIp: 'ENABLED' } },
    });
  });
});

describe('Function: loadDeploymentConfig', () => {
  it('names every missing or malformed setting at once', () => {
    const broken = {
      ...devEnvironment,
      temporal: { namespace: 'x' },
      services: { orderUrl: 'ftp://x' },
      worker: { minTasks: 5, maxTasks: 2 },
    };
    expect(() => loadDeploymentConfig({ dev: broken }, 'dev')).toThrow(
      /environments\.dev\.temporal\.address is required[\s\S]*temporal\.auth\.secretName[\s\S]*services\.orderUrl must be an http\(s\) URL[\s\S]*services\.userUrl[\s\S]*maxTasks must be at least/,
    );
  });

  it('says how to choose an environment that does not exist', () => {
    expect(() => loadDeploymentConfig({ dev: devEnvironment }, 'prod')).toThrow(
      'environments.prod is missing (choose one with -c env=NAME)',
    );
  });
});
