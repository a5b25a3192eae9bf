/**
 * How the worker and the Lambda functions reach Temporal Cloud, and the endpoint rule that
 * Temporal Cloud enforces: an API key is accepted on the regional endpoint, the namespace
 * endpoint takes mTLS (and API keys only on namespaces with High Availability). A wrong
 * pairing deploys cleanly and then never connects, so synth refuses it.
 */
import { DEFAULT_SECRET_KIND, SECRET_KINDS, SecretKind } from '../../functions/temporal/credential';
import type { Raw, Reader } from './reader';

/** An existing Secrets Manager secret, by complete ARN (preferred) or name. */
export interface TemporalCredential {
  readonly secretArn?: string;
  readonly secretName?: string;
}

/**
 * The kind of both secrets (functions/temporal/credential.ts). The top-level secret is the worker's; `lambda` is the Lambda functions' own (same kind),
 * so the API can hold a key that only starts, describes and queries (@default the worker's).
 */
export interface TemporalAuth extends TemporalCredential {
  readonly kind: SecretKind;
  readonly lambda?: TemporalCredential;
}

export interface TemporalSettings {
  readonly address: string;
  /** The namespace ID, `<name>.<account>` on Temporal Cloud. */
  readonly namespace: string;
  /** The namespace has High Availability (a replica): its namespace endpoint follows failovers. */
  readonly highAvailability: boolean;
  readonly auth: TemporalAuth;
}

const REGIONAL = /^([a-z0-9-]+)\.(aws|gcp)\.api\.temporal\.io:\d+$/;
const NAMESPACE_ENDPOINT = /^(.+)\.tmprl\.cloud:\d+$/;
const REGIONAL_EXAMPLE =
  '<region>.<cloud>.api.temporal.io:7233 (e.g. us-east-1.aws.api.temporal.io:7233 for a namespace in aws-us-east-1)';

/** What is wrong with this address for this namespace and credential kind (empty: nothing). */
export function endpointProblems(
  r: Reader,
  t: Omit<TemporalSettings, 'auth'> & { kind: TemporalAuth['kind'] },
): void {
  const { address, namespace, kind, highAvailability } = t;
  if (!/^[^\s:/]+:\d+$/.test(address)) {
    r.problem('temporal.address', `must be host:port, e.g. ${REGIONAL_EXAMPLE.split(' ')[0]}`);
    return;
  }
  const regional = REGIONAL.test(address);
  const namespaceHost = NAMESPACE_ENDPOINT.exec(address)?.[1];
  const namespaceEndpoint = `${namespace}.tmprl.cloud:7233`;
  if ((regional || namespaceHost) && !/^[a-z0-9-]+\.[a-z0-9]+$/.test(namespace))
    r.problem(
      'temporal.namespace',
      'must be the Temporal Cloud namespace ID <name>.<account> (e.g. complete-order-prod.a1b2c)',
    );
  if (namespaceHost && namespaceHost !== namespace)
    r.problem(
      'temporal.address',
      `is the endpoint of namespace ${namespaceHost}, but temporal.namespace is ${namespace}`,
    );
  if (kind === SecretKind.apiKey && namespaceHost && !highAvailability)
    r.problem(
      'temporal.address',
      `is a namespace endpoint, which takes API keys only when the namespace has High Availability: use the regional endpoint ${REGIONAL_EXAMPLE}, or set temporal.highAvailability to true if the namespace has a replica`,
    );
  if (kind === SecretKind.apiKey && regional && highAvailability)
    r.problem(
      'temporal.address',
      `is a regional endpoint, which does not follow a High Availability failover: use the namespace endpoint ${namespaceEndpoint}`,
    );
  if (kind === SecretKind.mtls && regional)
    r.problem(
      'temporal.address',
      `is a regional endpoint, which takes API keys only: mTLS connects to the namespace endpoint ${namespaceEndpoint}`,
    );
}

function credential(r: Reader, raw: Raw | undefined, path: string): TemporalCredential {
  const node = r.at(raw, path) as Raw | undefined;
  if (node?.secretArn !== undefined) {
    if (typeof node.secretArn === 'string' && node.secretArn.startsWith('arn:'))
      return { secretArn: node.secretArn };
    r.problem(`${path}.secretArn`, 'must be a complete secret ARN');
    return {};
  }
  return { secretName: r.string(raw, `${path}.secretName`) };
}

export function readTemporal(r: Reader, raw: Raw | undefined): TemporalSettings {
  const kind = r.oneOf(raw, 'temporal.auth.kind', SECRET_KINDS, DEFAULT_SECRET_KIND);
  const lambda =
    r.at(raw, 'temporal.auth.lambda') === undefined
      ? {}
      : { lambda: credential(r, raw, 'temporal.auth.lambda') };
  const settings = {
    address: r.string(raw, 'temporal.address'),
    namespace: r.string(raw, 'temporal.namespace'),
    highAvailability: r.bool(raw, 'temporal.highAvailability', false),
    auth: { kind, ...credential(r, raw, 'temporal.auth'), ...lambda },
  };
  if (settings.address && settings.namespace) endpointProblems(r, { ...settings, kind });
  return settings;
}
