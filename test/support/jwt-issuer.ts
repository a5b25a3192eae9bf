/**
 * An identity provider on loopback for tests: an RSA key pair, its JWKS behind OpenID
 * discovery (as Clerk serves it), and real signed tokens. Signing is jose's.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';

type SigningKey = Parameters<SignJWT['sign']>[0];

export interface TestIssuer {
  /** The issuer URL, also every token's `iss`. */
  issuer: string;
  /** A token signed with the issuer's key: `claims` over sensible defaults (one hour). */
  sign(claims: JWTPayload, options?: { expiresIn?: string }): Promise<string>;
  /** A token with the right claims, signed by a key the issuer never published. */
  signWithUnknownKey(claims: JWTPayload): Promise<string>;
  close(): Promise<void>;
}

async function signer(
  claims: JWTPayload,
  issuer: string,
  key: SigningKey,
  kid: string,
  expiresIn = '1h',
) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: 'RS256', kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setIssuedAt()
    .setNotBefore('0s')
    .setExpirationTime(expiresIn)
    .setJti(randomUUID())
    .sign(key);
}

export async function startTestIssuer(): Promise<TestIssuer> {
  const kid = randomUUID();
  const { publicKey, privateKey } = await generateKeyPair('RS256');
  const stranger = await generateKeyPair('RS256');
  const jwks = { keys: [{ ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' }] };
  const server = createServer((req, res) => {
    const body =
      req.url === '/.well-known/openid-configuration'
        ? { issuer, jwks_uri: `${issuer}/.well-known/jwks.json` }
        : req.url === '/.well-known/jwks.json'
          ? jwks
          : undefined;
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body ?? { error: 'not found' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    issuer,
    sign: (claims, options = {}) => signer(claims, issuer, privateKey, kid, options.expiresIn),
    signWithUnknownKey: (claims) => signer(claims, issuer, stranger.privateKey, kid),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
