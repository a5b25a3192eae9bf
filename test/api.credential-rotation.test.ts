import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { handler as trigger } from '../functions/trigger/handler';
import { apiEnv, invoke, TRIGGER_ROUTE, triggerRequest } from './support/api';
import { type AuthProxy, startAuthProxy } from './support/auth-proxy';
import { type FakeSecretsManager, startFakeSecretsManager } from './support/secrets-manager';

/**
 * The API's Temporal credential is rotated while the Lambda container keeps its
 * connection: a real dev server behind a proxy that checks API keys as Temporal Cloud
 * does, the real AWS SDK reading the key from a loopback Secrets Manager.
 */
describe('Function: trigger handler when the Temporal credential is rotated', () => {
  let proxy: AuthProxy;
  let secrets: FakeSecretsManager;
  let env: ReturnType<typeof apiEnv>;
  beforeAll(async () => {
    proxy = await startAuthProxy(inject('temporalAddress'), 'key-1');
    secrets = await startFakeSecretsManager('key-1');
    env = apiEnv({
      ...secrets.env(),
      TEMPORAL_ADDRESS: proxy.address,
      TEMPORAL_NAMESPACE: inject('temporalNamespace'),
      // The proxy speaks cleartext HTTP/2; Temporal Cloud is reached over TLS.
      TEMPORAL_TLS: 'false',
      // Nothing polls this queue: the test is about starting sagas, not running them.
      TEMPORAL_TASK_QUEUE: `rotation-${randomUUID()}`,
      TEMPORAL_SECRET_TIMEOUT_MS: '300',
    });
    env.apply();
  });
  afterAll(async () => {
    env?.restore();
    await proxy?.close();
    await secrets?.close();
  });

  const triggerNewOrder = () =>
    invoke(
      trigger,
      triggerRequest({ order_id: randomUUID(), runner_id: 'user_2abc' }),
      TRIGGER_ROUTE,
      '/triggerCompleteOrderWorkflow',
    );

  it('reads the key once and keeps the connection for the next requests', async () => {
    expect((await triggerNewOrder()).status).toBe(200);
    expect((await triggerNewOrder()).status).toBe(200);
    expect(secrets.reads).toBe(1);
    expect(proxy.refused).toBe(0);
  });

  it('after a rotation, re-reads the secret on UNAUTHENTICATED and reconnects once, without failing the request', async () => {
    proxy.acceptedKey = 'key-2';
    secrets.value = 'key-2';
    const reply = await triggerNewOrder();
    expect(reply.status).toBe(200);
    expect(reply.body.message).toBe('Workflow triggered');
    expect(proxy.refused).toBe(1);
    expect(secrets.reads).toBe(2);
  });

  it('retries only once when the secret holds a refused key too, and answers 500', async () => {
    proxy.acceptedKey = 'key-3';
    const refusedBefore = proxy.refused;
    const reply = await triggerNewOrder();
    expect(reply.status).toBe(500);
    expect(reply.body.error).toBe('INTERNAL_ERROR');
    expect(secrets.reads).toBe(3);
    expect(proxy.refused - refusedBefore).toBe(2);
  });

  it('answers 503 when Secrets Manager does not answer within TEMPORAL_SECRET_TIMEOUT_MS', async () => {
    secrets.silent = true;
    const reply = await triggerNewOrder();
    expect(reply.status).toBe(503);
    expect(reply.body.error).toBe('TEMPORAL_UNAVAILABLE');
    expect(reply.headers['retry-after']).toBe('5');
  });
});
