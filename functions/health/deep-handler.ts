/**
 * The operators' deep check (invoked directly, not routed): reaches Temporal and the
 * namespace, and says how long that took.
 */
import { apiConfig } from '../config';
import { apiChain } from '../http/chain';
import { json } from '../http/response';
import { withTemporal } from '../temporal/client';

async function deepHealth() {
  const started = Date.now();
  const { namespace } = apiConfig().temporal;
  await withTemporal((client) => client.workflowService.describeNamespace({ namespace }));
  return json(200, {
    status: 'healthy',
    temporal: { namespace, latency_ms: Date.now() - started },
  });
}

export const handler = apiChain().handler(deepHealth);
