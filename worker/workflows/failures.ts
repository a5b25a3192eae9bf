import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { FailureType } from '../../common/workflow-safe/failure-types';

/** The stable failure type behind an error thrown by an activity or by the saga itself. */
export function failureTypeOf(error: unknown): string {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  if (cause instanceof TimeoutFailure) return FailureType.DownstreamUnavailable;
  return 'UnexpectedError';
}

/** The message of the innermost failure: what actually went wrong. */
export function rootMessage(error: unknown): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(error);
}

/** A failure that ends the saga; the workflow retry policy never applies to it. */
export function sagaFailure(
  type: FailureType,
  message: string,
  details?: unknown,
): ApplicationFailure {
  return ApplicationFailure.create({
    type,
    message,
    nonRetryable: true,
    details: details === undefined ? [] : [details],
  });
}
