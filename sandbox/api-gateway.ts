/**
 * Builds the API Gateway HTTP API (payload v2) events Lambda receives, so tests and the
 * local server drive the handlers with the same shape as production. The Lambda context is
 * the one part of AWS faked here.
 */
import { randomUUID } from 'node:crypto';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';

/** What an HTTP API Lambda handler is, as API Gateway calls it. */
export type LambdaHttpHandler = (
  event: APIGatewayProxyEventV2,
  context: Context,
) => Promise<APIGatewayProxyStructuredResultV2>;

export interface HttpRequestLike {
  method: string;
  /** Path with optional query string, e.g. `/orders/x/completion?y=1`. */
  url: string;
  headers?: Record<string, string>;
  body?: Buffer | string;
  /** `jwt` claims or `iam`, as the route's authorizer would provide them. */
  authorizer?: { jwt: { claims: Record<string, string> } } | { iam: { userArn: string } };
}

export interface Route {
  routeKey: string;
  pathParameters?: Record<string, string>;
}

const TEXTUAL = /^(application\/([a-z0-9.+-]+\+)?json|text\/)/i;

function encodeBody(body: Buffer, contentType: string | undefined) {
  if (contentType && TEXTUAL.test(contentType)) {
    const text = body.toString('utf8');
    if (Buffer.from(text, 'utf8').equals(body)) return { body: text, isBase64Encoded: false };
  }
  return { body: body.toString('base64'), isBase64Encoded: true };
}

export function apiGatewayEvent(request: HttpRequestLike, route: Route): APIGatewayProxyEventV2 {
  const url = new URL(request.url, 'http://localhost');
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const raw = request.body === undefined ? undefined : Buffer.from(request.body);
  const body =
    raw === undefined || raw.length === 0
      ? { isBase64Encoded: false }
      : encodeBody(raw, headers['content-type']);
  const now = Date.now();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    ...(route.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method.toUpperCase(),
        path: url.pathname,
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: new Date(now).toISOString(),
      timeEpoch: now,
      ...(request.authorizer ? { authorizer: request.authorizer } : {}),
    },
    ...body,
  } as APIGatewayProxyEventV2;
}

/** A Lambda context for a function of `name` with `timeoutMs` to run. */
export function lambdaContext(name: string, timeoutMs = 10_000): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: name,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${name}`,
    memoryLimitInMB: '512',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${name}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}
