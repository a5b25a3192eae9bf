/**
 * Temporal Cloud credentials for Lambda. The secret's ARN is in the environment, never its
 * value; the value is read from Secrets Manager when the container connects (on first use,
 * and again when Temporal refuses the credential after a rotation), within a time bound.
 */
import type { ConnectionOptions } from '@temporalio/client';
import { ConfigError } from '../../common/temporal-config';
import {
  CREDENTIAL_VARS,
  DEFAULT_SECRET_KIND,
  isSecretKind,
  SECRET_KINDS,
  SecretKind,
} from './credential';

/** Secrets Manager did not answer in time: worth a retry later, like Temporal being down. */
export class CredentialUnavailableError extends Error {
  override readonly name = 'CredentialUnavailableError';
}

/**
 * Connection options that the secret's value adds (API key, or mTLS key pair). An API key
 * turns TLS on in the SDK unless TLS was explicitly disabled (TEMPORAL_TLS=false, loopback
 * tests only), as for the worker.
 */
export function credentialsFrom(kind: SecretKind, value: string): Partial<ConnectionOptions> {
  if (kind === SecretKind.apiKey) return { apiKey: value.trim() };
  let pair: { cert?: unknown; key?: unknown };
  try {
    pair = JSON.parse(value) as typeof pair;
  } catch {
    throw new ConfigError('the Temporal mTLS secret must be JSON {"cert": PEM, "key": PEM}');
  }
  if (typeof pair.cert !== 'string' || typeof pair.key !== 'string') {
    throw new ConfigError('the Temporal mTLS secret must have string fields "cert" and "key"');
  }
  return { tls: { clientCertPair: { crt: Buffer.from(pair.cert), key: Buffer.from(pair.key) } } };
}

/** Reads TEMPORAL_SECRET_ARN (kind TEMPORAL_SECRET_KIND) within `timeoutMs` when set; {} otherwise. */
export async function secretCredentials(
  env: Record<string, string | undefined>,
  timeoutMs: number,
): Promise<Partial<ConnectionOptions>> {
  const arn = env[CREDENTIAL_VARS.secretArn];
  if (!arn) return {};
  const kind = env[CREDENTIAL_VARS.kind] ?? DEFAULT_SECRET_KIND;
  if (!isSecretKind(kind))
    throw new ConfigError(`${CREDENTIAL_VARS.kind} must be ${SECRET_KINDS.join(' or ')}`);
  // Loaded only when needed: keeps the SDK out of cold starts that do not use it.
  const { SecretsManagerClient, GetSecretValueCommand } = await import(
    '@aws-sdk/client-secrets-manager'
  );
  const signal = AbortSignal.timeout(timeoutMs);
  const reply = await new SecretsManagerClient({})
    .send(new GetSecretValueCommand({ SecretId: arn }), { abortSignal: signal })
    .catch((error: unknown) => {
      if (!signal.aborted) throw error;
      throw new CredentialUnavailableError(
        `reading the Temporal credential took over TEMPORAL_SECRET_TIMEOUT_MS (${timeoutMs} ms)`,
        { cause: error },
      );
    });
  if (!reply.SecretString)
    throw new ConfigError(`${CREDENTIAL_VARS.secretArn} names a secret without a string value`);
  return credentialsFrom(kind, reply.SecretString);
}
