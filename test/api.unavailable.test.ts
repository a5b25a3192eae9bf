import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as trigger } from '../functions/trigger/handler';
import { apiEnv, invoke, TRIGGER_ROUTE, triggerRequest } from './support/api';

/**
 * Temporal that does not answer: a listener that accepts connections and never speaks,
 * the worst case for a caller with no deadline.
 */
describe('Function: trigger handler when Temporal is unreachable', () => {
  const silent = createServer(() => undefined);
  let env: ReturnType<typeof apiEnv>;
  beforeAll(async () => {
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as { port: number };
    env = apiEnv({
      TEMPORAL_ADDRESS: `127.0.0.1:${port}`,
      TEMPORAL_CONNECT_TIMEOUT_MS: '1000',
      TEMPORAL_CALL_DEADLINE_MS: '1000',
    });
    env.apply();
  });
  afterAll(() => {
    env?.restore();
    silent.close();
  });

  const triggerNewOrder = () =>
    invoke(
      trigger,
      triggerRequest({ order_id: randomUUID(), runner_id: 'user_2abc' }),
      TRIGGER_ROUTE,
      '/triggerCompleteOrderWorkflow',
    );

  it('answers 503 with Retry-After instead of hanging or a 500', async () => {
    const reply = await triggerNewOrder();
    expect(reply.status).toBe(503);
    expect(reply.body.error).toBe('TEMPORAL_UNAVAILABLE');
    expect(reply.headers['retry-after']).toBe('5');
  });

  it('answers 503 again on the next request (a failed connection is not cached)', async () => {
    expect((await triggerNewOrder()).status).toBe(503);
  });
});
