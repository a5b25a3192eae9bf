/**
 * What the Lambda functions' Temporal credential is and where they find it: the kinds a
 * deployment may choose (lib/config/temporal.ts checks `temporal.auth.kind` against them),
 * and the environment variables the CDK app sets (lib/constructs/temporal-access.ts) and
 * the functions read (functions/temporal/secret.ts). Pure data, for both sides.
 */

/**
 * `apiKey`: the secret's value is the API key; `mtls`: it is JSON `{"cert": PEM, "key": PEM}`.
 */
export const SecretKind = { apiKey: 'apiKey', mtls: 'mtls' } as const;
export type SecretKind = (typeof SecretKind)[keyof typeof SecretKind];

export const SECRET_KINDS: readonly SecretKind[] = Object.values(SecretKind);

/** The kind when none is named. */
export const DEFAULT_SECRET_KIND: SecretKind = SecretKind.apiKey;

export function isSecretKind(value: unknown): value is SecretKind {
  return typeof value === 'string' && (SECRET_KINDS as readonly string[]).includes(value);
}

/** The variables that point a function at its credential (never the credential itself). */
export const CREDENTIAL_VARS = {
  secretArn: 'TEMPORAL_SECRET_ARN',
  kind: 'TEMPORAL_SECRET_KIND',
} as const;
