/**
 * The API's routes behind a plain HTTP server: each request becomes the API Gateway v2
 * event the Lambda would receive, and the handler's result becomes the HTTP reply. With
 * AUTH_MODE=jwt the protected routes verify the bearer token first, as the deployed JWT
 * authorizer does (sandbox/jwt-authorizer.ts); open routes stay open. The routes are the
 * deployed API's (functions/routes.ts).
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { API_ROUTES, matchRoute, type RouteName } from '../functions/routes';
import {
  apiGatewayEvent,
  type HttpRequestLike,
  type LambdaHttpHandler,
  lambdaContext,
} from './api-gateway';
import { authorizerFromEnv, type LocalAuthorizer } from './jwt-authorizer';

/** A handler for every route of the table (functions/routes.ts). */
export type ApiRoutes = Record<RouteName, LambdaHttpHandler>;

/** API Gateway's own limit on request bodies; the handlers enforce a smaller one. */
const GATEWAY_MAX_BODY = 10 * 1024 * 1024;

async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > GATEWAY_MAX_BODY) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

/** API Gateway's own answer when the JWT authorizer refuses a request. */
const UNAUTHORIZED = JSON.stringify({ message: 'Unauthorized' });

export async function startLocalApi(
  routes: ApiRoutes,
  port: number,
  authorizer: LocalAuthorizer | undefined = authorizerFromEnv(process.env),
): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const route = matchRoute(req.method ?? 'GET', url.pathname);
    const body = await readBody(req);
    if (!route || body === undefined) {
      res.writeHead(route ? 413 : 404, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ message: route ? 'Request Entity Too Large' : 'Not Found' }));
      return;
    }
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : (v ?? '')]),
    );
    let identity: HttpRequestLike['authorizer'];
    if (authorizer && API_ROUTES[route.name].auth === 'authorizer') {
      const claims = await authorizer(req.headers.authorization);
      if (!claims) {
        res.writeHead(401, { 'content-type': 'application/json', 'www-authenticate': 'Bearer' });
        res.end(UNAUTHORIZED);
        return;
      }
      identity = { jwt: { claims } };
    }
    const event = apiGatewayEvent(
      {
        method: req.method ?? 'GET',
        url: req.url ?? '/',
        headers,
        body,
        ...(identity ? { authorizer: identity } : {}),
      },
      route,
    );
    const result = await routes[route.name](event, lambdaContext(`complete-order-${route.name}`));
    res.writeHead(result.statusCode ?? 200, result.headers as Record<string, string>);
    res.end(result.body ?? '');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
