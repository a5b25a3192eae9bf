import { ActivityFailure, ApplicationFailure, TimeoutFailure } from '@temporalio/workflow';
import { FailureType } from '../../common/workflow-safe/failure-types';

/** The type of an error that carries none: a bug, or a failure from outside the activities. */
const UNEXPECTED_ERROR = 'UnexpectedError';

/**
 * A failure type as read off an error: one of ours, {@link UNEXPECTED_ERROR}, or the type
 * some other `ApplicationFailure` carried, passed on as it is.
 */
export type FoundFailureType = FailureType | typeof UNEXPECTED_ERROR | (string & {});

/** The stable failure type behind an error thrown by an activity or by the saga itself. */
export function failureTypeOf(error: unknown): FoundFailureType {
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type) return cause.type;
  if (cause instanceof TimeoutFailure) return FailureType.DownstreamUnavailable;
  return UNEXPECTED_ERROR;
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
  return sagaFailureOf(type, message, details);
}

/** The same, ending the saga with a type read off another error ({@link failureTypeOf}). */
export function sagaFailureOf(
  type: FoundFailureType,
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
