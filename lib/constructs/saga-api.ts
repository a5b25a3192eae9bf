import { CfnOutput, Duration } from 'aws-cdk-lib';
import {
  type CfnStage,
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
import {
  API_ROUTES,
  type ApiRoute,
  ROUTE_NAMES,
  type RouteName,
  routeKey,
} from '../../functions/routes';
import { API_SERVICE_NAME } from '../../functions/service-name';
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
 * The HTTP API the mobile backend calls, built from the route table (functions/routes.ts):
 * trigger and completion behind the configured authorizer, health open; throttled, JSON access logs, CORS from configuration. Also the
 * operators' deep health check (a function, not a route).
 */
export class SagaApi extends Construct {
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  /** One function per route of the table (functions/routes.ts), and the deep health check. */
  readonly functions: Record<RouteName | 'deepHealth', NodeFunction>;

  constructor(scope: Construct, id: string, props: SagaApiProps) {
    super(scope, id);
    const { config, temporal, logRetention } = props;
    const environment = {
      ...temporal.lambdaEnvironment(),
      AUTH_MODE: config.apiAuth.kind,
      ...(config.apiAuth.kind === 'jwt' && config.apiAuth.authorizedParties.length > 0
        ? { JWT_AUTHORIZED_PARTIES: config.apiAuth.authorizedParties.join(',') }
        : {}),
      POWERTOOLS_SERVICE_NAME: API_SERVICE_NAME,
    };
    const timeout = Duration.seconds(config.lambda.timeoutSeconds);
    const fn = (name: string, entry: string, env: Record<string, string> = environment) =>
      new NodeFunction(this, name, { entry, environment: env, logRetention, timeout });
    const routed = Object.fromEntries(
      ROUTE_NAMES.map((name) => {
        const route: ApiRoute = API_ROUTES[name];
        return [name, fn(route.functionId, route.entry, route.temporal ? environment : {})];
      }),
    ) as Record<RouteName, NodeFunction>;
    this.functions = {
      ...routed,
      deepHealth: fn('DeepHealth', 'functions/health/deep-handler.ts'),
    };
    const callsTemporal = [
      ...ROUTE_NAMES.filter((name) => API_ROUTES[name].temporal).map((name) => routed[name]),
      this.functions.deepHealth,
    ];
    for (const f of callsTemporal) temporal.lambdaSecret.grantRead(f.function);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'complete-order-saga: trigger and follow the Complete Order saga',
      createDefaultStage: false,
      defaultAuthorizer: this.authorizer(config),
      ...(config.corsOrigins.length > 0
        ? {
            corsPreflight: {
              allowOrigins: [...config.corsOrigins],
              allowMethods: [...new Set(ROUTE_NAMES.map((name) => API_ROUTES[name].method))]
                .sort()
                .map((method) => CorsHttpMethod[method]),
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
    for (const name of ROUTE_NAMES) {
      const route: ApiRoute = API_ROUTES[name];
      const open = route.auth === 'open';
      const added = this.addRoute(
        route.path,
        HttpMethod[route.method],
        routed[name],
        open ? new HttpNoneAuthorizer() : undefined,
      );
      for (const r of open ? added : []) acknowledge(r, 'openHealthRoute');
      // CloudFormation refuses route settings for a route that does not exist yet.
      if (name === 'health') for (const r of added) this.stage.node.addDependency(r);
    }
    // The open health route has its own, smaller budget. RouteSettings is raw JSON to
    // CloudFormation: its keys are written as the template spells them.
    (this.stage.node.defaultChild as CfnStage).routeSettings = {
      [routeKey(API_ROUTES.health)]: {
        ThrottlingRateLimit: config.healthThrottle.rateLimit,
        ThrottlingBurstLimit: config.healthThrottle.burstLimit,
      },
    };
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
