/**
 * The trigger's request body: one schema that validates at the boundary and types the
 * handler. `clerk_user_id` (what today's clients send) is accepted in place of
 * `runner_id` (the design document's name). zod/mini: the same checks as zod, a fraction
 * of the bundle (cold starts, docs/performance.md).
 */
import * as z from 'zod/mini';
import { idKinds } from '../../common/workflow-safe/ids';

/** The order id allow-list (common/workflow-safe/ids.ts) in either case: it is lowercased once valid. */
const ORDER_ID_ANY_CASE = new RegExp(idKinds.orderId.source, 'i');

const orderId = z.pipe(
  z
    .string({ error: 'order_id must be a string' })
    .check(z.regex(ORDER_ID_ANY_CASE, 'order_id must be a UUID')),
  z.transform((id: string) => id.toLowerCase()),
);

const runnerId = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .check(z.regex(idKinds.runnerId, `${field} must be 1-128 letters, digits, '_' or '-'`));

const body = z
  .strictObject(
    {
      order_id: orderId,
      runner_id: z.optional(runnerId('runner_id')),
      clerk_user_id: z.optional(runnerId('clerk_user_id')),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field(s): ${(issue as { keys: string[] }).keys.join(', ')}`
          : 'body must be a JSON object',
    },
  )
  .check(
    z.refine((b) => b.runner_id !== undefined || b.clerk_user_id !== undefined, {
      message: 'runner_id (or clerk_user_id) is required',
    }),
    z.refine((b) => !(b.runner_id && b.clerk_user_id && b.runner_id !== b.clerk_user_id), {
      message: 'runner_id and clerk_user_id differ',
    }),
  );

export const triggerBody = z.pipe(
  body,
  z.transform((b) => ({
    orderId: b.order_id,
    runnerId: (b.runner_id ?? b.clerk_user_id) as string,
  })),
);

export type TriggerRequest = z.output<typeof triggerBody>;

/** The first problem, phrased for the caller. */
export function describeIssues(error: { issues: readonly z.core.$ZodIssue[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  if (issue.code === 'invalid_type' && issue.path.length > 0 && issue.input === undefined) {
    return `${issue.path.join('.')} is required`;
  }
  return issue.message;
}
