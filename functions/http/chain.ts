import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { apiConfig } from '../config';
import { logger } from '../logger';
import { apiErrors, authorizedParty } from './middleware';

/**
 * The Middy chain every API handler starts from: request-scoped logs, JSON errors, and a
 * runner's token checked against the allowed parties (`azp`) before anything else.
 */
export function apiChain() {
  return middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>()
    .use(injectLambdaContext(logger, { resetKeys: true }))
    .use(apiErrors(logger))
    .use(authorizedParty(() => apiConfig().authorizedParties));
}
