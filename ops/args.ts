/** The ops command line: parsed and checked before anything talks to Temporal. */
import { parseArgs } from 'node:util';
import { isValidId } from '../common/workflow-safe/ids';
import {
  describeInvalidDecision,
  OperatorAction,
  type OperatorDecision,
  type ParkedState,
  ParkReason,
} from '../common/workflow-safe/operator';
import { UsageError } from './errors';

export type Command =
  /** `asked`: --help or `help`, rather than no command at all (a usage error). */
  | { name: 'help'; asked: boolean }
  | { name: 'list'; json: boolean }
  | { name: 'show'; orderId: string }
  | { name: 'decide'; orderId: string; decision: OperatorDecision; json: boolean };

export const HELP = `Operate complete-order sagas that wait for a person (see docs/runbook.md).

Usage: npm run --silent ops -- <command>

Commands:
  list                     parked sagas: order id, reason, since, allowed decisions
  show <orderId>           the saga's description and progress, as JSON
  decide <orderId> <resend|mark-paid|refund|retry|skip> --operator <name>
                           --reason <text> [--transfer-id tr_...]
                           send an operator's decision to a parked saga; mark-paid needs
                           the Stripe transfer id that was found; retry tries a failed
                           step again; skip records a compensation done by hand

Options:
  --json                   machine-readable output (list, decide)
  -h, --help               this text

Temporal: the worker's settings (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY,
TEMPORAL_TLS_*, or a profile via TEMPORAL_CONFIG_FILE and TEMPORAL_PROFILE).

Exit codes: 0 done; 1 failed (unreachable, no such saga); 2 bad usage (nothing was sent);
3 refused (the saga's state does not allow the decision; it still waits).
`;

/** Command-line spelling of each action. */
const ACTIONS: Record<string, OperatorAction> = {
  resend: OperatorAction.resend,
  'mark-paid': OperatorAction.markPaid,
  refund: OperatorAction.refund,
  retry: OperatorAction.retry,
  skip: OperatorAction.skip,
};

/** How the command line spells `action` (what the operator types next). */
export function cliAction(action: OperatorAction): string {
  return Object.keys(ACTIONS).find((key) => ACTIONS[key] === action) ?? action;
}

/** A parked state that allows every action: checks a decision's shape alone. */
const ANY_PARKED: ParkedState = {
  reason: ParkReason.ReleaseUnconfirmed,
  message: '',
  since: '',
  allowed: Object.values(OperatorAction),
  paymentId: null,
};

function orderIdOf(value: string | undefined): string {
  if (value === undefined) throw new UsageError('the order id is missing');
  const orderId = value.toLowerCase();
  if (!isValidId('orderId', orderId)) {
    throw new UsageError(`the order id must be a UUID, got ${JSON.stringify(value)}`);
  }
  return orderId;
}

function expectPositionals(positionals: string[], count: number, usage: string): void {
  if (positionals.length > count) {
    throw new UsageError(`unexpected argument ${JSON.stringify(positionals[count])}: ${usage}`);
  }
}

type Values = ReturnType<typeof parse>['values'];

function decisionOf(actionArg: string | undefined, values: Values): OperatorDecision {
  const action = actionArg === undefined ? undefined : ACTIONS[actionArg];
  if (!action) {
    throw new UsageError(
      `the decision must be one of ${Object.keys(ACTIONS).join(', ')}, got ${JSON.stringify(actionArg ?? '')}`,
    );
  }
  const decision: OperatorDecision = {
    action,
    operator: values.operator ?? '',
    reason: values.reason ?? '',
    ...(values['transfer-id'] === undefined ? {} : { transferId: values['transfer-id'] }),
  };
  // The saga's own validator, with every action allowed: the same words, nothing sent.
  const problem = describeInvalidDecision(decision, ANY_PARKED);
  if (problem) throw new UsageError(`invalid decision: ${flagNames(problem)}`);
  return decision;
}

/** The shared messages name the Update's fields; the operator typed flags. */
function flagNames(problem: string): string {
  return problem
    .replace(/^operator is/, '--operator is')
    .replace(/^reason is/, '--reason is')
    .replace(/^markPaid needs transferId/, 'mark-paid needs --transfer-id')
    .replace(/^transferId is only for markPaid/, '--transfer-id is only for mark-paid');
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    strict: true,
    options: {
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
      operator: { type: 'string' },
      reason: { type: 'string' },
      'transfer-id': { type: 'string' },
    },
  });
}

function parseOrUsage(argv: string[]) {
  try {
    return parse(argv);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

function refuseDecideOptions(values: Values, command: string): void {
  for (const flag of ['operator', 'reason', 'transfer-id'] as const) {
    if (values[flag] !== undefined)
      throw new UsageError(`--${flag} is only for decide, not ${command}`);
  }
}

/** The command `argv` (after `npm run ops --`) asks for; throws UsageError. */
export function parseCommand(argv: string[]): Command {
  const { values, positionals } = parseOrUsage(argv);
  const [name, ...rest] = positionals;
  if (values.help || name === 'help') return { name: 'help', asked: true };
  if (name === undefined) return { name: 'help', asked: false };
  if (name === 'list') {
    expectPositionals(rest, 0, 'list takes no arguments');
    refuseDecideOptions(values, name);
    return { name, json: values.json };
  }
  if (name === 'show') {
    expectPositionals(rest, 1, 'show <orderId>');
    refuseDecideOptions(values, name);
    return { name, orderId: orderIdOf(rest[0]) };
  }
  if (name === 'decide') {
    expectPositionals(
      rest,
      2,
      'decide <orderId> <resend|mark-paid|refund|retry|skip> --operator ...',
    );
    const orderId = orderIdOf(rest[0]);
    return { name, orderId, decision: decisionOf(rest[1], values), json: values.json };
  }
  throw new UsageError(`unknown command ${JSON.stringify(name)}: use list, show or decide`);
}
