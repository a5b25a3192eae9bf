/**
 * The sandbox: real HTTP servers for the Order, User and Payment services on loopback,
 * sharing one state and ledger. Used by the tests and by the local run.
 */
import { FaultTable } from './services/faults';
import { type JsonServer, startJsonServer } from './services/http-server';
import { orderErrorBody, orderRouter } from './services/order-service';
import { paymentErrorBody, paymentRouter } from './services/payment-service';
import { SandboxState } from './services/state';
import { userErrorBody, userRouter } from './services/user-service';

export type { Fault, InjectedFault, Route, ScriptedAnswer } from './services/faults';
export type {
  CommandKind,
  LedgerEntry,
  SeededOrder,
  SeedOptions,
  SettlementMode,
} from './services/state';

export interface Sandbox {
  state: SandboxState;
  faults: FaultTable;
  urls: { order: string; user: string; payment: string };
  close(): Promise<void>;
}

export interface SandboxPorts {
  order?: number;
  user?: number;
  payment?: number;
}

/** `random`: where probabilistic faults draw from (default Math.random; seed it to replay). */
export async function startSandbox(
  ports: SandboxPorts = {},
  random: () => number = Math.random,
): Promise<Sandbox> {
  const state = new SandboxState();
  const faults = new FaultTable(random);
  const counted = () => {
    state.requestCount += 1;
  };
  const servers: JsonServer[] = await Promise.all([
    startJsonServer(orderRouter(state), faults, orderErrorBody, ports.order, counted),
    startJsonServer(userRouter(state), faults, userErrorBody, ports.user, counted),
    startJsonServer(paymentRouter(state), faults, paymentErrorBody, ports.payment, counted),
  ]);
  const [order, user, payment] = servers.map((s) => s.url) as [string, string, string];
  return {
    state,
    faults,
    urls: { order, user, payment },
    async close() {
      state.stop();
      await Promise.all(servers.map((s) => s.close()));
    },
  };
}
