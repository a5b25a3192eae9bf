import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { workflowIdFor } from '../common/workflow-safe/names';
import { handler as completion } from '../functions/completion/handler';
import { handler as health } from '../functions/health/handler';
import { handler as trigger } from '../functions/trigger/handler';
import { authorizerFromEnv, jwtAuthorizer } from '../sandbox/jwt-authorizer';
import { startLocalApi } from '../sandbox/local-api';
import { apiEnv } from './support/api';
import { useHarness } from './support/harness';
import { startTestIssuer, type TestIssuer } from './support/jwt-issuer';

/** What the Clerk JWT template adds (README, "Clerk"), and the app's origin. */
const AUDIENCE = 'complete-order-saga';
const ORIGIN = 'https://runner.example.com';

/**
 * AUTH_MODE=jwt end to end: real RS256 tokens from an issuer on loopback, verified by the
 * local API as the deployed JWT authorizer would, then the real handlers, worker and
 * Temporal server. A runner may act only for themself.
 */
describe('Local API with AUTH_MODE=jwt: real signed tokens', () => {
  const h = useHarness({ api: true });
  let issuer: TestIssuer;
  let api: Awaited<ReturnType<typeof startLocalApi>>;
  let env: ReturnType<typeof apiEnv>;
  beforeAll(async () => {
    issuer = await startTestIssuer();
    env = apiEnv({ AUTH_MODE: 'jwt', JWT_AUTHORIZED_PARTIES: ORIGIN });
    env.apply();
    const authorizer = jwtAuthorizer({ issuer: issuer.issuer, audience: [AUDIENCE] });
    api = await startLocalApi({ trigger, health, completion }, 0, authorizer);
  });
  afterAll(async () => {
    await api?.close();
    await issuer?.close();
    env?.restore();
  });

  const runnerToken = (sub: string, claims: Record<string, unknown> = {}) =>
    issuer.sign({ sub, aud: AUDIENCE, azp: ORIGIN, ...claims });
  const post = async (body: unknown, token?: string) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (token) headers.authorization = `Bearer ${token}`;
    const reply = await fetch(`${api.url}/triggerCompleteOrderWorkflow`, {
      method: 'POST',
      headers,
      body: JSON.stringify(body),
    });
    return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
  };
  const getCompletion = async (orderId: string, token: string) => {
    const reply = await fetch(`${api.url}/orders/${orderId}/completion`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: reply.status, body: (await reply.json()) as Record<string, unknown> };
  };
  const sagaExists = (orderId: string) =>
    h.client.workflow
      .getHandle(workflowIdFor(orderId))
      .describe()
      .then(
        () => true,
        () => false,
      );

  it('lets a runner complete their own delivery and read its completion', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const token = await runnerToken(seeded.runnerId);
    const reply = await post({ order_id: seeded.orderId, clerk_user_id: seeded.runnerId }, token);
    expect(reply).toMatchObject({ status: 200, body: { message: 'Workflow triggered' } });
    await h.client.workflow.getHandle(workflowIdFor(seeded.orderId)).result();
    expect(h.sandbox.state.entries('transfer', seeded.orderId)).toHaveLength(1);
    const read = await getCompletion(seeded.orderId, token);
    expect(read).toMatchObject({ status: 200, body: { status: 'COMPLETED' } });
  });

  it("refuses a runner acting for another runner: 403 on trigger, 404 on another's completion", async () => {
    const seeded = h.sandbox.state.seedOrder();
    const intruder = await runnerToken('user_intruder');
    const reply = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId }, intruder);
    expect(reply).toMatchObject({ status: 403, body: { error: 'FORBIDDEN' } });
    expect(await sagaExists(seeded.orderId)).toBe(false);

    const own = await runnerToken(seeded.runnerId);
    expect((await post({ order_id: seeded.orderId, runner_id: seeded.runnerId }, own)).status).toBe(
      200,
    );
    const peek = await getCompletion(seeded.orderId, intruder);
    expect(peek).toMatchObject({ status: 404, body: { error: 'NOT_FOUND' } });
  });

  it('answers 401 before any handler runs for tokens the JWT authorizer refuses', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const sub = seeded.runnerId;
    const hs256 = await new SignJWT({ sub, aud: AUDIENCE, azp: ORIGIN })
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuer(issuer.issuer)
      .setExpirationTime('1h')
      .sign(new TextEncoder().encode('a shared secret the issuer never had'));
    const refused = {
      'no token': undefined,
      'a Clerk session token (no aud)': await issuer.sign({ sub, azp: ORIGIN }),
      'another audience': await runnerToken(sub, { aud: 'another-api' }),
      'an expired token': await issuer.sign(
        { sub, aud: AUDIENCE, azp: ORIGIN },
        { expiresIn: '-1m' },
      ),
      'a key the issuer never published': await issuer.signWithUnknownKey({ sub, aud: AUDIENCE }),
      'an HMAC-signed token': hs256,
    };
    for (const [what, token] of Object.entries(refused)) {
      const reply = await post({ order_id: seeded.orderId, runner_id: sub }, token);
      expect({ what, ...reply }).toEqual({ what, status: 401, body: { message: 'Unauthorized' } });
    }
    expect(await sagaExists(seeded.orderId)).toBe(false);
  });

  it('accepts client_id in place of a missing aud, as API Gateway does', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const token = await issuer.sign({ sub: seeded.runnerId, client_id: AUDIENCE, azp: ORIGIN });
    const reply = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId }, token);
    expect(reply.status).toBe(200);
  });

  it('refuses a valid token made for another origin (azp) with 401 UNAUTHORIZED', async () => {
    const seeded = h.sandbox.state.seedOrder();
    const token = await runnerToken(seeded.runnerId, { azp: 'https://evil.example.com' });
    const reply = await post({ order_id: seeded.orderId, runner_id: seeded.runnerId }, token);
    expect(reply).toMatchObject({ status: 401, body: { error: 'UNAUTHORIZED' } });
    expect(await sagaExists(seeded.orderId)).toBe(false);
  });

  it('keeps /health open', async () => {
    expect((await fetch(`${api.url}/health`)).status).toBe(200);
  });
});

describe('Function: authorizerFromEnv', () => {
  it('is off unless AUTH_MODE=jwt, and names what AUTH_MODE=jwt needs', () => {
    expect(authorizerFromEnv({ AUTH_MODE: 'none' })).toBeUndefined();
    expect(() => authorizerFromEnv({ AUTH_MODE: 'jwt', JWT_AUDIENCE: 'a' })).toThrow('JWT_ISSUER');
    expect(() =>
      authorizerFromEnv({ AUTH_MODE: 'jwt', JWT_ISSUER: 'https://clerk.example.com' }),
    ).toThrow('JWT_AUDIENCE');
    expect(
      authorizerFromEnv({
        AUTH_MODE: 'jwt',
        JWT_ISSUER: 'https://x.example.com',
        JWT_AUDIENCE: 'a',
      }),
    ).toBeTypeOf('function');
  });
});
