/**
 * `npm run ops -- <list|show|decide>`: the on-call engineer's tool for sagas parked for an
 * operator (docs/runbook.md). Runs with tsx from a clean clone; output goes to stdout,
 * problems to stderr, and the exit code says which kind of problem (see errors.ts).
 */
import type { Client } from '@temporalio/client';
import { type Command, HELP, parseCommand } from './args';
import { decide, formatDecision } from './decide';
import { ExitCode, OpsError } from './errors';
import { formatParked, listParked } from './list';
import { showSaga } from './show';
import { connect } from './temporal';

const asJson = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

async function run(client: Client, command: Exclude<Command, { name: 'help' }>): Promise<string> {
  switch (command.name) {
    case 'list': {
      const sagas = await listParked(client);
      return command.json ? asJson(sagas) : formatParked(sagas);
    }
    case 'show':
      return asJson(await showSaga(client, command.orderId));
    case 'decide': {
      const record = await decide(client, command.orderId, command.decision);
      return command.json ? asJson(record) : formatDecision(command.orderId, record);
    }
  }
}

function fail(error: unknown): ExitCode {
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`ops: ${message}\n`);
  if (error instanceof OpsError) {
    if (error.exitCode === ExitCode.usage) process.stderr.write(`\n${HELP}`);
    return error.exitCode;
  }
  return ExitCode.failed;
}

async function main(argv: string[]): Promise<ExitCode> {
  let command: Command;
  try {
    command = parseCommand(argv);
  } catch (error) {
    return fail(error);
  }
  if (command.name === 'help') {
    (command.asked ? process.stdout : process.stderr).write(HELP);
    return command.asked ? ExitCode.ok : ExitCode.usage;
  }
  let client: Client | undefined;
  try {
    client = await connect(process.env);
    process.stdout.write(await run(client, command));
    return ExitCode.ok;
  } catch (error) {
    return fail(error);
  } finally {
    await client?.connection.close();
  }
}

process.exitCode = await main(process.argv.slice(2));
