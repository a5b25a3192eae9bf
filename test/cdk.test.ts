import { Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { describe, expect, it } from 'vitest';
import { devEnvironment, synthApp } from './support/synth';

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

  it('passes the allowed token origins (azp) to the handlers when configured', () => {
    const parties = ['https://runner.example.com', 'https://ops.example.com'];
    const apiAuth = { ...devEnvironment.apiAuth, authorizedParties: parties };
    const template = Template.fromStack(synthApp({ apiAuth }, { bundle: false }).api);
    const withParties = template.findResources('AWS::Lambda::Function', {
      Properties: {
        Environment: { Variables: Match.objectLike({ JWT_AUTHORIZED_PARTIES: parties.join(',') }) },
      },
    });
    expect(Object.keys(withParties)).toHaveLength(3);
  });

  it('uses IAM authorization on the same routes when configured for a server caller', () => {
    const iam = Template.fromStack(synthApp({ apiAuth: { kind: 'iam' } }).api);
    const routes = Object.values(iam.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties,
    );
    const protectedRoutes = routes.filter((r) => r.RouteKey !== 'GET /health');
    expect(protectedRoutes.map((r) => r.AuthorizationType)).toEqual(['AWS_IAM', 'AWS_IAM']);
  });

  it('throttles the API and writes JSON access logs with HTTP API fields, never the token', () => {
    api.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      // The open health route cannot spend the triggers' budget.
      RouteSettings: { 'GET /health': { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 10 } },
    });
    const [stageId] = Object.keys(api.findResources('AWS::ApiGatewayV2::Stage'));
    const [healthRoute] = Object.keys(
      api.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: 'GET /health' } }),
    );
    expect(api.toJSON().Resources[stageId ?? ''].DependsOn).toContain(healthRoute);
    const [stage] = Object.values(api.findResources('AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format).toMatchObject({
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationErrorMessage: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
      sub: '$context.authorizer.claims.sub',
    });
    const variables = Object.values(format);
    expect(variables.every((v) => /^\$context\.[a-zA-Z.]+$/.test(v))).toBe(true);
    expect(variables.filter((v) => v.startsWith('$context.authorizer.claims.'))).toEqual([
      '$context.authorizer.claims.sub',
    ]);
    expect(variables.join(' ')).not.toMatch(/header|authorization|token/i);
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

  it('gives the Lambda functions their own Temporal credential and time bounds, and the worker its own', () => {
    const lambdaSecret = devEnvironment.temporal.auth.lambda.secretName;
    const workerSecret = devEnvironment.temporal.auth.secretName;
    const ours = Object.values(api.findResources('AWS::Lambda::Function')).filter(
      (f) => f.Properties.Environment?.Variables?.TEMPORAL_SECRET_ARN,
    );
    expect(ours).toHaveLength(3);
    for (const f of ours) {
      const vars = f.Properties.Environment.Variables;
      expect(JSON.stringify(vars.TEMPORAL_SECRET_ARN)).toContain(lambdaSecret);
      expect(vars).toMatchObject({
        TEMPORAL_SECRET_TIMEOUT_MS: '2000',
        TEMPORAL_CONNECT_TIMEOUT_MS: '2000',
        TEMPORAL_CALL_DEADLINE_MS: '5000',
      });
      expect(f.Properties.Timeout).toBe(devEnvironment.lambda.timeoutSeconds);
    }
    const apiPolicies = JSON.stringify(api.findResources('AWS::IAM::Policy'));
    expect(apiPolicies).toContain(lambdaSecret);
    expect(apiPolicies).not.toContain(workerSecret);
    const [task] = Object.values(worker.findResources('AWS::ECS::TaskDefinition'));
    const secrets = JSON.stringify(task?.Properties.ContainerDefinitions[0].Secrets);
    expect(secrets).toContain(workerSecret);
    expect(secrets).not.toContain(lambdaSecret);
  });

  it('gives mTLS certificate and key to the worker as secrets too', () => {
    const mtls = {
      ...devEnvironment.temporal,
      address: `${devEnvironment.temporal.namespace}.tmprl.cloud:7233`,
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

  it('rolls back failed deployments and scales the worker on CPU', () => {
    worker.hasResourceProperties('AWS::ECS::Service', {
      DeploymentConfiguration: {
        DeploymentCircuitBreaker: { Enable: true, Rollback: true },
        MinimumHealthyPercent: 100,
      },
    });
    worker.hasResourceProperties('AWS::ApplicationAutoScaling::ScalingPolicy', {
      TargetTrackingScalingPolicyConfiguration: {
        PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' },
      },
    });
    worker.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(1 minute)' });
  });

  it('encrypts the alarm topic with a key CloudWatch may use, and lets CloudWatch publish', () => {
    const [keyId] = Object.keys(monitoring.findResources('AWS::KMS::Key'));
    monitoring.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    monitoring.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey*'],
          }),
        ]),
      },
    });
    monitoring.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Allow',
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: 'sns:Publish',
          }),
        ]),
      },
    });
    expect(JSON.stringify(monitoring.toJSON())).not.toContain('alias/aws/sns');
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
