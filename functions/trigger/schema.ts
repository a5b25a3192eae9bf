/**
 * The trigger's request body: one schema that validates at the boundary and types the
 * handler. `clerk_user_id` (what today's clients send) is accepted in place of
 * `runner_id` (the design document's name).
 */
import { z } from 'zod';
import { idKinds } from '../../common/ids';

const ORDER_ID_ANY_CASE =
  /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

const orderId = z
  .string({ error: 'order_id must be a string' })
  .regex(ORDER_ID_ANY_CASE, 'order_id must be a UUID')
  .transform((id) => id.toLowerCase());

const runnerId = (field: string) =>
  z
    .string({ error: `${field} must be a string` })
    .regex(idKinds.runnerId, `${field} must be 1-128 letters, digits, '_' or '-'`);

export const triggerBody = z
  .strictObject(
    {
      order_id: orderId,
      runner_id: runnerId('runner_id').optional(),
      clerk_user_id: runnerId('clerk_user_id').optional(),
    },
    {
      error: (issue) =>
        issue.code === 'unrecognized_keys'
          ? `unknown field(s): ${issue.keys.join(', ')}`
          : 'body must be a JSON object',
    },
  )
  .refine((b) => b.runner_id !== undefined || b.clerk_user_id !== undefined, {
    message: 'runner_id (or clerk_user_id) is required',
  })
  .refine((b) => !(b.runner_id && b.clerk_user_id && b.runner_id !== b.clerk_user_id), {
    message: 'runner_id and clerk_user_id differ',
  })
  .transform((b) => ({
    orderId: b.order_id,
    runnerId: (b.runner_id ?? b.clerk_user_id) as string,
  }));

export type TriggerRequest = z.output<typeof triggerBody>;

/** The first problem, phrased for the caller. */
export function describeIssues(error: z.ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid request';
  if (issue.code === 'invalid_type' && issue.path.length > 0 && issue.input === undefined) {
    return `${issue.path.join('.')} is required`;
  }
  return issue.message;
}
