/** Drives the real handlers (the whole Middy chain) with API Gateway v2 events. */
import { expect } from 'vitest';
import { API_ROUTES, routeKey } from '../../functions/routes';
import {
  apiGatewayEvent,
  type HttpRequestLike,
  type LambdaHttpHandler,
  lambdaContext,
  type Route,
} from '../../sandbox/api-gateway';
import { openApiErrors } from './openapi';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export const runnerAuth = (sub: string) => ({ jwt: { claims: { sub } } });
export const serviceAuth = { iam: { userArn: 'arn:aws:iam::123456789012:role/mobile-backend' } };

/** Invokes `handler` and checks the reply against docs/openapi.yaml for `documentedPath`. */
export async function invoke(
  handler: LambdaHttpHandler,
  request: HttpRequestLike,
  route: Route,
  documentedPath: string,
): Promise<Reply> {
  const result = await handler(apiGatewayEvent(request, route), lambdaContext('test'));
  const status = result.statusCode ?? 200;
  const body = JSON.parse(result.body ?? 'null') as Record<string, unknown>;
  expect(result.headers?.['content-type']).toBe('application/json');
  expect(openApiErrors(request.method, documentedPath, status, body)).toEqual([]);
  return { status, headers: (result.headers ?? {}) as Record<string, string>, body };
}

export const TRIGGER_ROUTE: Route = { routeKey: routeKey(API_ROUTES.trigger) };

export function triggerRequest(
  body: unknown,
  options: {
    raw?: boolean;
    headers?: Record<string, string>;
    authorizer?: HttpRequestLike['authorizer'];
  } = {},
): HttpRequestLike {
  return {
    method: 'POST',
    url: API_ROUTES.trigger.path,
    headers: options.headers ?? { 'content-type': 'application/json' },
    body: options.raw ? (body as string | Buffer) : JSON.stringify(body),
    authorizer: options.authorizer ?? serviceAuth,
  };
}

/** Sets the API's environment for this file's tests and restores it afterwards. */
export function apiEnv(vars: Record<string, string>): { apply(): void; restore(): void } {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  return {
    apply: () => Object.assign(process.env, vars),
    restore: () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    },
  };
}
