import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';

/**
 * One JSON line per request, in HTTP API `$context` variables: what was called, what it
 * answered and how fast, why the integration or the authorizer failed, and who called
 * (the token's `sub`, or the IAM caller's ARN). Never a header or the token itself.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  routeKey: '$context.routeKey',
  status: '$context.status',
  responseLatency: '$context.responseLatency',
  responseLength: '$context.responseLength',
  protocol: '$context.protocol',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationErrorMessage: '$context.integrationErrorMessage',
  errorMessage: '$context.error.message',
  authorizerError: '$context.authorizer.error',
  sub: '$context.authorizer.claims.sub',
  iamCaller: '$context.identity.userArn',
} as const;

export function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS));
}
