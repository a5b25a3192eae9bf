import { CfnOutput, Duration } from 'aws-cdk-lib';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer, HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';
import { acknowledge } from '../nag-suppressions';
import { accessLogFormat } from './access-log';
import { NodeFunction } from './node-function';
import type { TemporalAccess } from './temporal-access';

export interface SagaApiProps {
  readonly config: DeploymentConfig;
  readonly temporal: TemporalAccess;
  readonly logRetention: RetentionDays;
}

/**
 * The HTTP API the mobile backend calls: trigger and completion behind the configured
 * authorizer, health open; throttled, JSON access logs, CORS from configuration. Also the
 * operators' deep health check (a function, not a route).
 */
export class SagaApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly functions: Record<'trigger' | 'completion' | 'health' | 'deepHealth', NodeFunction>;

  constructor(scope: Construct, id: string, props: SagaApiProps) {
    super(scope, id);
    const { config, temporal, logRetention } = props;
    const environment = {
      ...temporal.lambdaEnvironment(),
      AUTH_MODE: config.apiAuth.kind,
      ...(config.apiAuth.kind === 'jwt' && config.apiAuth.authorizedParties.length > 0
        ? { JWT_AUTHORIZED_PARTIES: config.apiAuth.authorizedParties.join(',') }
        : {}),
      POWERTOOLS_SERVICE_NAME: 'complete-order-api',
    };
    const timeout = Duration.seconds(config.lambda.timeoutSeconds);
    const fn = (name: string, entry: string, env: Record<string, string> = environment) =>
      new NodeFunction(this, name, { entry, environment: env, logRetention, timeout });
    this.functions = {
      trigger: fn('Trigger', 'functions/trigger/handler.ts'),
      completion: fn('Completion', 'functions/completion/handler.ts'),
      health: fn('Health', 'functions/health/handler.ts', {}),
      deepHealth: fn('DeepHealth', 'functions/health/deep-handler.ts'),
    };
    for (const f of [
      this.functions.trigger,
      this.functions.completion,
      this.functions.deepHealth,
    ]) {
      temporal.lambdaSecret.grantRead(f.function);
    }

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'complete-order-saga: trigger and follow the Complete Order saga',
      createDefaultStage: false,
      defaultAuthorizer: this.authorizer(config),
      ...(config.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...config.corsOrigins],
              allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST],
              allowHeaders: ['authorization', 'content-type'],
              maxAge: Duration.hours(1),
            },
          }
        : {}),
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: config.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(
          new LogGroup(this, 'AccessLogs', { retention: logRetention }),
        ),
        format: accessLogFormat(),
      },
    });
    this.addRoute('/triggerCompleteOrderWorkflow', HttpMethod.POST, this.functions.trigger);
    this.addRoute('/orders/{orderId}/completion', HttpMethod.GET, this.functions.completion);
    const [health] = this.addRoute(
      '/health',
      HttpMethod.GET,
      this.functions.health,
      new HttpNoneAuthorizer(),
    );
    if (health) acknowledge(health, 'openHealthRoute');
    new CfnOutput(this, 'Url', { value: this.stage.url, description: 'Base URL of the API' });
    new CfnOutput(this, 'DeepHealthFunction', {
      value: this.functions.deepHealth.function.functionName,
      description: 'Invoke to check that the API reaches Temporal (aws lambda invoke)',
    });
  }

  private authorizer(config: DeploymentConfig): IHttpRouteAuthorizer {
    if (config.apiAuth.kind === 'iam') return new HttpIamAuthorizer();
    return new HttpJwtAuthorizer('Jwt', config.apiAuth.issuer, {
      jwtAudience: [...config.apiAuth.audience],
    });
  }

  private addRoute(
    path: string,
    method: HttpMethod,
    target: NodeFunction,
    authorizer?: IHttpRouteAuthorizer,
  ) {
    const integration = new HttpLambdaIntegration(`${target.node.id}Integration`, target.function);
    return this.httpApi.addRoutes({
      path,
      methods: [method],
      integration,
      ...(authorizer ? { authorizer } : {}),
    });
  }
}
