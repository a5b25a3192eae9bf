import { describe, expect, it } from 'vitest';
import { SECRET_KINDS, SecretKind } from '../functions/temporal/credential';
import { loadDeploymentConfig } from '../lib/config';
import { devEnvironment } from './support/synth';

/** Loads the dev environment of cdk.json with `overrides`; throws what synth would. */
const load = (overrides: Record<string, unknown>) =>
  loadDeploymentConfig({ dev: { ...devEnvironment, ...overrides } }, 'dev');
const temporal = (overrides: Record<string, unknown>) => ({
  temporal: { ...devEnvironment.temporal, ...overrides },
});
const API_KEY = { kind: 'apiKey', secretName: 'k' };
const MTLS = { kind: 'mtls', secretName: 'm' };
const NAMESPACE = devEnvironment.temporal.namespace;

describe('Function: loadDeploymentConfig', () => {
  it('names every missing or malformed setting at once', () => {
    const broken = {
      ...devEnvironment,
      temporal: { namespace: 'x' },
      services: { orderUrl: 'ftp://x' },
      worker: { minTasks: 5, maxTasks: 2 },
    };
    expect(() => loadDeploymentConfig({ dev: broken }, 'dev')).toThrow(
      /environments\.dev\.temporal\.address is required[\s\S]*temporal\.auth\.secretName[\s\S]*services\.orderUrl must be an http\(s\) URL[\s\S]*services\.userUrl[\s\S]*maxTasks must be at least/,
    );
  });

  it('says how to choose an environment that does not exist', () => {
    expect(() => loadDeploymentConfig({ dev: devEnvironment }, 'prod')).toThrow(
      'environments.prod is missing (choose one with -c env=NAME)',
    );
  });

  it('accepts the example environment of cdk.json as it is', () => {
    expect(load({}).temporal.address).toBe('us-east-1.aws.api.temporal.io:7233');
  });
});

describe('Function: loadDeploymentConfig — Temporal Cloud endpoints', () => {
  it('refuses an API key on the namespace endpoint, naming the setting and the regional endpoint', () => {
    expect(() =>
      load(temporal({ address: `${NAMESPACE}.tmprl.cloud:7233`, auth: API_KEY })),
    ).toThrow(
      /environments\.dev\.temporal\.address is a namespace endpoint[^\n]*regional endpoint <region>\.<cloud>\.api\.temporal\.io:7233[^\n]*temporal\.highAvailability/,
    );
  });

  it('accepts an API key on the namespace endpoint when the namespace has High Availability', () => {
    const config = load(
      temporal({ address: `${NAMESPACE}.tmprl.cloud:7233`, highAvailability: true, auth: API_KEY }),
    );
    expect(config.temporal.highAvailability).toBe(true);
  });

  it('refuses the regional endpoint for a High Availability namespace (it would not follow a failover)', () => {
    expect(() => load(temporal({ highAvailability: true, auth: API_KEY }))).toThrow(
      `temporal.address is a regional endpoint, which does not follow a High Availability failover: use the namespace endpoint ${NAMESPACE}.tmprl.cloud:7233`,
    );
  });

  it('sends mTLS to the namespace endpoint only', () => {
    expect(() => load(temporal({ auth: MTLS }))).toThrow(
      `mTLS connects to the namespace endpoint ${NAMESPACE}.tmprl.cloud:7233`,
    );
    expect(
      load(temporal({ address: `${NAMESPACE}.tmprl.cloud:7233`, auth: MTLS })).temporal.auth.kind,
    ).toBe('mtls');
  });

  it("refuses another namespace's endpoint, a namespace that is not an ID, and an address without a port", () => {
    expect(() => load(temporal({ address: 'other.a1b2c.tmprl.cloud:7233', auth: MTLS }))).toThrow(
      `is the endpoint of namespace other.a1b2c, but temporal.namespace is ${NAMESPACE}`,
    );
    expect(() => load(temporal({ namespace: 'complete-order' }))).toThrow(
      'temporal.namespace must be the Temporal Cloud namespace ID <name>.<account>',
    );
    expect(() => load(temporal({ address: 'us-east-1.aws.api.temporal.io' }))).toThrow(
      'temporal.address must be host:port',
    );
  });

  it('takes exactly the credential kinds the functions read (functions/temporal/credential.ts)', () => {
    const endpoint = (kind: string) =>
      kind === SecretKind.mtls ? { address: `${NAMESPACE}.tmprl.cloud:7233` } : {};
    for (const kind of SECRET_KINDS) {
      const config = load(temporal({ ...endpoint(kind), auth: { kind, secretName: 's' } }));
      expect(config.temporal.auth.kind).toBe(kind);
    }
    expect(() => load(temporal({ auth: { kind: 'password', secretName: 's' } }))).toThrow(
      `temporal.auth.kind must be one of ${SECRET_KINDS.join(', ')}`,
    );
  });

  it("takes a separate credential for the Lambda functions, checked like the worker's", () => {
    const lambda = { secretArn: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:api-AbCdEf' };
    expect(load(temporal({ auth: { ...API_KEY, lambda } })).temporal.auth.lambda).toEqual(lambda);
    expect(() => load(temporal({ auth: { ...API_KEY, lambda: { secretArn: 'api' } } }))).toThrow(
      'temporal.auth.lambda.secretArn must be a complete secret ARN',
    );
  });
});

describe('Function: loadDeploymentConfig — API authorizer', () => {
  const jwt = { kind: 'jwt', issuer: 'https://clerk.example.com' };

  it('refuses an empty or missing JWT audience, saying how Clerk tokens get one', () => {
    for (const audience of [[], [''], undefined]) {
      expect(() => load({ apiAuth: { ...jwt, audience } })).toThrow(
        /apiAuth\.audience must list at least one non-empty audience[^\n]*Clerk JWT template/,
      );
    }
  });

  it('wants an https issuer and origins as authorized parties', () => {
    expect(() =>
      load({ apiAuth: { ...jwt, issuer: 'http://clerk.example.com', audience: ['a'] } }),
    ).toThrow('apiAuth.issuer must be an https URL');
    expect(() =>
      load({ apiAuth: { ...jwt, audience: ['a'], authorizedParties: ['app.example.com'] } }),
    ).toThrow('apiAuth.authorizedParties must list origins like https://app.example.com');
  });
});

describe('Function: loadDeploymentConfig — Lambda time budget', () => {
  it("fails when secret read + connect + call deadline do not fit the function's timeout, naming each", () => {
    const lambda = {
      timeoutSeconds: 10,
      secretReadTimeoutMs: 2000,
      connectTimeoutMs: 2000,
      callDeadlineMs: 5000,
    };
    expect(() => load({ lambda })).toThrow(
      "lambda.timeoutSeconds (10 s) is shorter than one request's worst case, 14000 ms: 2 × (lambda.secretReadTimeoutMs 2000 + lambda.connectTimeoutMs 2000) + lambda.callDeadlineMs 5000 + 1000 ms margin",
    );
    expect(load({ lambda: { ...lambda, timeoutSeconds: 14 } }).lambda.timeoutSeconds).toBe(14);
  });

  it('keeps the timeout under what API Gateway waits for an integration', () => {
    expect(() => load({ lambda: { timeoutSeconds: 30 } })).toThrow(
      'lambda.timeoutSeconds must be an integer from 3 to 29',
    );
  });
});
