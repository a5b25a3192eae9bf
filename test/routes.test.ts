import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { API_ROUTES, matchRoute, ROUTE_NAMES, type RouteName, routeKey } from '../functions/routes';
import { API_SERVICE_NAME } from '../functions/service-name';
import type { LambdaHttpHandler } from '../sandbox/api-gateway';
import { type ApiRoutes, startLocalApi } from '../sandbox/local-api';
import { documentedOperations } from './support/openapi';
import { synthApp } from './support/synth';

const ROOT = join(import.meta.dirname, '..');
const ORDER_ID = '0b7c5a2e-3f1d-4c8e-9a6b-2d4e6f8a0c1e';

/** A concrete request path for `path`, every `{parameter}` filled with an order id. */
const concrete = (path: string) => path.replace(/\{\w+\}/g, ORDER_ID);

describe('Route table (functions/routes.ts): the one source of the API routes', () => {
  it('names an existing handler file for every route', () => {
    for (const name of ROUTE_NAMES) {
      expect(existsSync(join(ROOT, API_ROUTES[name].entry)), name).toBe(true);
    }
  });

  it('is what docs/openapi.yaml documents, route for route', () => {
    expect(documentedOperations().sort()).toEqual(
      ROUTE_NAMES.map((name) => routeKey(API_ROUTES[name])).sort(),
    );
  });

  it('matches requests as API Gateway does: method, path and decoded path parameters', () => {
    expect(matchRoute('GET', `/orders/${ORDER_ID}/completion`)).toEqual({
      name: 'completion',
      routeKey: 'GET /orders/{orderId}/completion',
      pathParameters: { orderId: ORDER_ID },
    });
    expect(matchRoute('GET', '/orders/a%20b/completion')?.pathParameters).toEqual({
      orderId: 'a b',
    });
    expect(matchRoute('POST', '/health')).toBeUndefined();
    expect(matchRoute('GET', '/orders//completion')).toBeUndefined();
    expect(matchRoute('GET', '/orders/x/completion/more')).toBeUndefined();
    expect(matchRoute('GET', '/healthz')).toBeUndefined();
  });
});

describe('Route table: the deployed HTTP API is built from it', () => {
  const template = Template.fromStack(synthApp({}, { bundle: false }).api);
  const resources = template.toJSON().Resources as Record<
    string,
    { Type: string; Properties: Record<string, unknown> }
  >;
  const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));

  /** The logical id of the function a route's integration invokes. */
  function functionOf(target: unknown): string {
    const join = (target as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
    const integration = (join[1] as { Ref: string }).Ref;
    const uri = resources[integration]?.Properties.IntegrationUri as { 'Fn::GetAtt': string[] };
    return uri['Fn::GetAtt'][0] as string;
  }

  it('has exactly the routes of the table, each with its auth and its own function', () => {
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      ROUTE_NAMES.map((name) => routeKey(API_ROUTES[name])).sort(),
    );
    for (const name of ROUTE_NAMES) {
      const route = API_ROUTES[name];
      const deployed = routes.find((r) => r.Properties.RouteKey === routeKey(route));
      const auth = deployed?.Properties.AuthorizationType ?? 'NONE';
      expect(auth, name).toBe(route.auth === 'open' ? 'NONE' : 'JWT');
      expect(functionOf(deployed?.Properties.Target), name).toMatch(
        new RegExp(`^Api${route.functionId}Function`),
      );
    }
  });

  it('gives the Temporal settings (and the service name) to the routes that call Temporal, and to those only', () => {
    for (const name of ROUTE_NAMES) {
      const route = API_ROUTES[name];
      const [id, fn] =
        Object.entries(resources).find(
          ([key, r]) =>
            r.Type === 'AWS::Lambda::Function' && key.startsWith(`Api${route.functionId}Function`),
        ) ?? [];
      expect(id, name).toBeDefined();
      const variables = (fn?.Properties.Environment as { Variables: Record<string, unknown> })
        .Variables;
      expect(Object.hasOwn(variables, 'TEMPORAL_SECRET_ARN'), name).toBe(route.temporal);
      if (route.temporal) expect(variables.POWERTOOLS_SERVICE_NAME, name).toBe(API_SERVICE_NAME);
    }
  });
});

describe('Route table: the local API serves the same routes', () => {
  const calls: Array<{ name: RouteName; event: APIGatewayProxyEventV2 }> = [];
  let api: { url: string; close(): Promise<void> };

  beforeAll(async () => {
    const recorder =
      (name: RouteName): LambdaHttpHandler =>
      async (event) => {
        calls.push({ name, event });
        return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
      };
    const handlers = Object.fromEntries(
      ROUTE_NAMES.map((name) => [name, recorder(name)]),
    ) as ApiRoutes;
    api = await startLocalApi(handlers, 0, undefined);
  });
  afterAll(() => api?.close());

  it('routes every route of the table to its handler, with its route key', async () => {
    for (const name of ROUTE_NAMES) {
      const route = API_ROUTES[name];
      const reply = await fetch(`${api.url}${concrete(route.path)}`, {
        method: route.method,
        ...(route.method === 'POST'
          ? { body: '{}', headers: { 'content-type': 'application/json' } }
          : {}),
      });
      expect(reply.status, name).toBe(200);
      const call = calls.at(-1);
      expect(call?.name).toBe(name);
      expect(call?.event.routeKey).toBe(routeKey(route));
      if (route.path.includes('{')) {
        expect(call?.event.pathParameters).toEqual({ orderId: ORDER_ID });
      }
    }
  });

  it('answers 404 for what the table does not list', async () => {
    const before = calls.length;
    expect((await fetch(`${api.url}/triggerCompleteOrderWorkflow`)).status).toBe(404);
    expect((await fetch(`${api.url}/nothing`, { method: 'POST' })).status).toBe(404);
    expect(calls).toHaveLength(before);
  });
});
