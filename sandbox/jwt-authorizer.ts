/**
 * What API Gateway's HTTP API JWT authorizer does, for the local server (AUTH_MODE=jwt):
 * takes the token from `Authorization` (with or without `Bearer `), finds the issuer's
 * keys through OpenID discovery, checks the RSA signature, `iss`, `exp`/`nbf`, and that
 * `aud` (or, without one, `client_id`) is an accepted audience. The verified claims reach
 * the handler as API Gateway passes them: strings, under `requestContext.authorizer.jwt`.
 * Verification is jose's; nothing here is hand-written crypto.
 */
import { createRemoteJWKSet, type JWTPayload, jwtVerify } from 'jose';

export interface JwtAuthorizerSettings {
  /** Exactly the `iss` of accepted tokens (Clerk: the Frontend API URL). */
  issuer: string;
  audience: readonly string[];
}

/** Verified claims, or undefined for a request API Gateway would answer 401. */
export type LocalAuthorizer = (
  authorization: string | undefined,
) => Promise<Record<string, string> | undefined>;

/** API Gateway accepts RSA-signed tokens only. */
const ALGORITHMS = ['RS256', 'RS384', 'RS512'];

async function discoverKeys(issuer: string) {
  const discovery = `${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
  const reply = await fetch(discovery);
  if (!reply.ok) throw new Error(`${discovery} answered ${reply.status}`);
  const { jwks_uri: jwksUri } = (await reply.json()) as { jwks_uri?: string };
  if (!jwksUri) throw new Error(`${discovery} names no jwks_uri`);
  return createRemoteJWKSet(new URL(jwksUri));
}

function audienceMatches(payload: JWTPayload, accepted: readonly string[]): boolean {
  const aud = payload.aud ?? payload.client_id;
  const values = Array.isArray(aud) ? aud : [aud];
  return values.some((value) => typeof value === 'string' && accepted.includes(value));
}

function asStrings(payload: JWTPayload): Record<string, string> {
  return Object.fromEntries(
    Object.entries(payload).map(([name, value]) => [
      name,
      typeof value === 'string'
        ? value
        : Array.isArray(value)
          ? `[${value.join(' ')}]`
          : String(value),
    ]),
  );
}

export function jwtAuthorizer(settings: JwtAuthorizerSettings): LocalAuthorizer {
  let keys: ReturnType<typeof discoverKeys> | undefined;
  return async (authorization) => {
    const token = authorization?.replace(/^Bearer\s+/i, '').trim();
    if (!token) return undefined;
    keys ??= discoverKeys(settings.issuer).catch((error: unknown) => {
      keys = undefined;
      throw error;
    });
    try {
      const { payload } = await jwtVerify(token, await keys, {
        issuer: settings.issuer,
        algorithms: ALGORITHMS,
      });
      return audienceMatches(payload, settings.audience) ? asStrings(payload) : undefined;
    } catch {
      return undefined;
    }
  };
}

/**
 * The local server's authorizer from its environment: none unless AUTH_MODE=jwt, which
 * needs JWT_ISSUER and JWT_AUDIENCE (comma-separated), as the deployed JWT authorizer does.
 */
export function authorizerFromEnv(
  env: Record<string, string | undefined>,
): LocalAuthorizer | undefined {
  if (env.AUTH_MODE !== 'jwt') return undefined;
  const issuer = env.JWT_ISSUER;
  const audience = (env.JWT_AUDIENCE ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (!issuer || !URL.canParse(issuer))
    throw new Error(
      'JWT_ISSUER must be the issuer URL of accepted tokens when AUTH_MODE=jwt (e.g. your Clerk Frontend API URL)',
    );
  if (audience.length === 0)
    throw new Error(
      'JWT_AUDIENCE must list the accepted audiences (comma-separated) when AUTH_MODE=jwt',
    );
  return jwtAuthorizer({ issuer, audience });
}
