/**
 * GET /health: the API itself answers. It does not touch Temporal (nor load its client),
 * so a Temporal incident does not make the load balancer drop the API.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export async function handler(): Promise<APIGatewayProxyStructuredResultV2> {
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: '{"status":"healthy"}',
  };
}
