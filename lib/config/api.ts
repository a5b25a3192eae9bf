/**
 * Who may call the API, and the time budget of the Lambda functions that call Temporal.
 */
import type { Raw, Reader } from './reader';

export type ApiAuth =
  | {
      readonly kind: 'jwt';
      /** The identity provider's issuer (Clerk: the Frontend API URL). */
      readonly issuer: string;
      /** Accepted `aud` values; Clerk session tokens have none, a Clerk JWT template adds it. */
      readonly audience: readonly string[];
      /** When set, the token's `azp` must be one of these origins (@default any). */
      readonly authorizedParties: readonly string[];
    }
  | { readonly kind: 'iam' };

/**
 * One request's worst case must end inside the function's timeout, so that the caller
 * gets the handler's JSON 503 rather than API Gateway's bare timeout.
 */
export interface LambdaBudget {
  readonly timeoutSeconds: number;
  /** Bound on reading the Temporal credential from Secrets Manager. */
  readonly secretReadTimeoutMs: number;
  /** Bound on opening the connection to Temporal. */
  readonly connectTimeoutMs: number;
  /** Deadline of one call to Temporal. */
  readonly callDeadlineMs: number;
}

/** Room for the handler's own work (parsing, logging, answering). */
export const BUDGET_MARGIN_MS = 1000;

/**
 * Worst case of one request: read the secret, connect, call; Temporal refuses the
 * credential (it was rotated), so read and connect once more and call again within the
 * same deadline.
 */
export function worstCaseMs(b: LambdaBudget): number {
  return 2 * (b.secretReadTimeoutMs + b.connectTimeoutMs) + b.callDeadlineMs + BUDGET_MARGIN_MS;
}

const ORIGIN = /^https?:\/\/[^/\s]+$/;

export function readApiAuth(r: Reader, raw: Raw | undefined): ApiAuth {
  const kind = r.oneOf(raw, 'apiAuth.kind', ['jwt', 'iam'] as const);
  if (kind === 'iam') return { kind };
  const audience = r.strings(raw, 'apiAuth.audience', []);
  if (audience.length === 0 || audience.some((a) => a.trim() === ''))
    r.problem(
      'apiAuth.audience',
      "must list at least one non-empty audience: API Gateway's JWT authorizer refuses every token whose aud matches none. Clerk session tokens carry no aud: add it with a Clerk JWT template (README, 'Clerk') and list its value here",
    );
  const authorizedParties = r.strings(raw, 'apiAuth.authorizedParties', []);
  for (const party of authorizedParties.filter((p) => !ORIGIN.test(p)))
    r.problem(
      'apiAuth.authorizedParties',
      `must list origins like https://app.example.com, got ${JSON.stringify(party)}`,
    );
  return { kind, issuer: r.httpsUrl(raw, 'apiAuth.issuer'), audience, authorizedParties };
}

export function readLambdaBudget(r: Reader, raw: Raw | undefined): LambdaBudget {
  const budget = {
    // API Gateway's HTTP API waits at most 30 s for an integration.
    timeoutSeconds: r.int(raw, 'lambda.timeoutSeconds', 15, 3, 29),
    secretReadTimeoutMs: r.int(raw, 'lambda.secretReadTimeoutMs', 2000, 100, 10_000),
    connectTimeoutMs: r.int(raw, 'lambda.connectTimeoutMs', 2000, 100, 10_000),
    callDeadlineMs: r.int(raw, 'lambda.callDeadlineMs', 5000, 100, 25_000),
  };
  const worst = worstCaseMs(budget);
  if (worst > budget.timeoutSeconds * 1000)
    r.problem(
      'lambda.timeoutSeconds',
      `(${budget.timeoutSeconds} s) is shorter than one request's worst case, ${worst} ms: 2 × (lambda.secretReadTimeoutMs ${budget.secretReadTimeoutMs} + lambda.connectTimeoutMs ${budget.connectTimeoutMs}) + lambda.callDeadlineMs ${budget.callDeadlineMs} + ${BUDGET_MARGIN_MS} ms margin (a rotated credential is read and connected twice); raise the timeout or lower those`,
    );
  return budget;
}
