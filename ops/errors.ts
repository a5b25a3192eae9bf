/**
 * How the ops command ends. Scripts around it branch on the exit code, so each outcome
 * has its own: nothing is sent for 2, and the saga is unchanged for 3.
 */
export const ExitCode = {
  ok: 0,
  /** Temporal unreachable, no such saga, or anything unexpected. */
  failed: 1,
  /** The command line or the decision is malformed; nothing was sent. */
  usage: 2,
  /** The saga's current state refuses the decision; it still waits. */
  refused: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** An error the command reports in one line, with its exit code. */
export class OpsError extends Error {
  override readonly name: string = 'OpsError';
  constructor(
    message: string,
    readonly exitCode: ExitCode = ExitCode.failed,
  ) {
    super(message);
  }
}

/** The command line is wrong: the message says what, and the help text follows. */
export class UsageError extends OpsError {
  override readonly name = 'UsageError';
  constructor(message: string) {
    super(message, ExitCode.usage);
  }
}

/** The saga (or its state, checked first) refuses the decision. */
export class DecisionRefusedError extends OpsError {
  override readonly name = 'DecisionRefusedError';
  constructor(message: string) {
    super(message, ExitCode.refused);
  }
}
