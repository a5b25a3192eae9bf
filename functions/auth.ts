/**
 * Who is calling, from what API Gateway's authorizer verified. JWT claims mean a runner,
 * who may act only for themself (claim `sub` equals the runner id); an IAM principal means
 * a trusted service, which may act for any runner. A request with neither is refused
 * unless AUTH_MODE=none (the local server only).
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AuthMode } from './config';
import { ApiError, ApiErrorCode } from './http/errors';

export type Caller = { kind: 'runner'; runnerId: string } | { kind: 'service' };

interface AuthorizerContext {
  jwt?: { claims?: Record<string, unknown> };
  iam?: { userArn?: string };
}

export function callerOf(event: APIGatewayProxyEventV2, mode: AuthMode): Caller {
  const authorizer = (event.requestContext as { authorizer?: AuthorizerContext }).authorizer;
  const sub = authorizer?.jwt?.claims?.sub;
  if (typeof sub === 'string' && sub.length > 0) return { kind: 'runner', runnerId: sub };
  if (authorizer?.iam) return { kind: 'service' };
  if (mode === AuthMode.none) return { kind: 'service' };
  throw new ApiError(401, ApiErrorCode.Unauthorized, 'the request carries no verified identity');
}

/** True when `caller` may act for `runnerId`. */
export function mayActFor(caller: Caller, runnerId: string): boolean {
  return caller.kind === 'service' || caller.runnerId === runnerId;
}
