/**
 * Allow-lists for every id that ends up in a URL path or a workflow id. Ids coming from
 * callers and ids returned by downstream services are checked the same way: both are
 * untrusted. The character classes exclude `.`, `/`, `\`, `%` and control characters, so
 * no accepted id can form a path traversal, even before it is URL-encoded.
 */

/** Canonical lowercase UUID, as the Order Service issues them. */
const ORDER_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Identity-provider user ids such as `user_2abc...`. */
const RUNNER_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** Payment ids are opaque to us: uuid or prefixed ids, same safe alphabet. */
const PAYMENT_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
/** Stripe Connect account ids. */
const CONNECT_ACCOUNT_ID = /^acct_[A-Za-z0-9]{1,250}$/;

export const idKinds = {
  orderId: ORDER_ID,
  runnerId: RUNNER_ID,
  paymentId: PAYMENT_ID,
  connectAccountId: CONNECT_ACCOUNT_ID,
} as const;

export type IdKind = keyof typeof idKinds;

/** True when `value` is a string that matches the allow-list for `kind`. */
export function isValidId(kind: IdKind, value: unknown): value is string {
  return typeof value === 'string' && idKinds[kind].test(value);
}

/** Describes why `value` is not a valid id of `kind`, or returns undefined when it is. */
export function describeInvalidId(kind: IdKind, value: unknown): string | undefined {
  if (value === undefined || value === null) return `${kind} is required`;
  if (typeof value !== 'string') return `${kind} must be a string`;
  if (!isValidId(kind, value)) return `${kind} has an invalid format`;
  return undefined;
}

/** Encodes an already-validated id for a URL path segment (defence in depth). */
export function pathSegment(kind: IdKind, value: string): string {
  if (!isValidId(kind, value)) throw new TypeError(`refusing to put an invalid ${kind} in a URL`);
  return encodeURIComponent(value);
}
