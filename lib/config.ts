/**
 * Deployment configuration, one typed object per environment, read from the CDK context
 * (`cdk.json` → `environments.<name>`, chosen with `-c env=<name>`) and validated at synth
 * time: every problem is reported at once, each naming the setting.
 */

import { type ApiAuth, type LambdaBudget, readApiAuth, readLambdaBudget } from './config/api';
import { type Raw, Reader } from './config/reader';
import { readTemporal, type TemporalSettings } from './config/temporal';
import { readWorkerOps, type WorkerOps } from './worker-ops-config';

export type { ApiAuth, LambdaBudget } from './config/api';
export type { TemporalAuth, TemporalCredential, TemporalSettings } from './config/temporal';

export type Network =
  /**
   * A new VPC; `natGateways: 0` puts the worker in public subnets with a public IP.
   * `endpoints` adds VPC endpoints (ECR, CloudWatch Logs, Secrets Manager, S3): image
   * pulls, logs and secrets stay off the NAT gateways and keep working through an AZ's
   * NAT outage.
   */
  | {
      readonly kind: 'new';
      readonly maxAzs: number;
      readonly natGateways: number;
      readonly endpoints: boolean;
    }
  /** An existing VPC, described (no lookup: synth needs no AWS credentials). */
  | {
      readonly kind: 'existing';
      readonly vpcId: string;
      readonly availabilityZones: readonly string[];
      readonly privateSubnetIds: readonly string[];
    };

/**
 * Sizing rule (docs/performance.md, "Sizing"): a task sustains
 * 1000 × vCPU × 0.6 (the CPU scaling target) / worker CPU-ms per saga sagas per second:
 * ≈ 3.0/s at 0.5 vCPU with the 100.9 ms measured on 2026-11-26 (quiet run; the sizing
 * run kept up with 5/s under 1 s p99). minTasks 2 then carry ≈ 350 orders a minute, and
 * 1,000 a minute needs 6 tasks: maxTasks 8 leaves two for bursts and deploys.
 */
export interface WorkerSizing {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Activity tasks waiting per running task that scaling aims at. */
  readonly targetBacklogPerTask: number;
  /** Time in-flight activities get after SIGTERM; the container's stopTimeout is larger. */
  readonly shutdownGraceSeconds: number;
}

export interface DeploymentConfig {
  readonly envName: string;
  readonly account?: string;
  readonly region?: string;
  readonly temporal: TemporalSettings;
  readonly services: {
    readonly orderUrl: string;
    readonly userUrl: string;
    readonly paymentUrl: string;
  };
  readonly apiAuth: ApiAuth;
  /** Timeout of the Lambda functions that call Temporal, and the bounds inside it. */
  readonly lambda: LambdaBudget;
  /** CORS origins allowed to call the API (@default none: server-to-server only). */
  readonly corsOrigins: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  /**
   * The open `GET /health` route's own limits: without them anyone could spend the stage's
   * budget and have runners' triggers answered 429.
   */
  readonly healthThrottle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly network: Network;
  readonly worker: WorkerSizing;
  /** Alarm notifications go to this address (@default none: subscribe to the topic yourself). */
  readonly alarmEmail?: string;
  /**
   * This environment serves real orders: one NAT gateway per AZ and VPC endpoints by
   * default, and `alarmEmail` required (@default false).
   */
  readonly production: boolean;
  readonly logRetentionDays: number;
  /** The worker's metrics sidecar and versioned deploys (lib/worker-ops-config.ts). */
  readonly workerOps: WorkerOps;
}

export class DeploymentConfigError extends Error {
  override readonly name = 'DeploymentConfigError';
}

/**
 * Production defaults to one NAT gateway per AZ (an AZ event must not cut every worker
 * off from Temporal Cloud) and to VPC endpoints; other environments to one NAT gateway.
 */
function network(r: Reader, raw: Raw | undefined, production: boolean): Network {
  const kind = r.oneOf(raw, 'network.kind', ['new', 'existing'] as const, 'new');
  if (kind === 'new') {
    const maxAzs = r.int(raw, 'network.maxAzs', 2, 1, 3);
    const natGateways = r.int(raw, 'network.natGateways', production ? maxAzs : 1, 0, 3);
    if (natGateways > maxAzs)
      r.problem('network.natGateways', `must be at most maxAzs (${maxAzs})`);
    const endpoints = r.at(raw, 'network.endpoints') ?? production;
    if (typeof endpoints !== 'boolean') r.problem('network.endpoints', 'must be true or false');
    if (endpoints === true && natGateways === 0)
      r.problem('network.endpoints', 'needs private subnets: set natGateways to at least 1');
    return { kind, maxAzs, natGateways, endpoints: endpoints === true };
  }
  return {
    kind,
    vpcId: r.string(raw, 'network.vpcId'),
    availabilityZones: r.strings(raw, 'network.availabilityZones'),
    privateSubnetIds: r.strings(raw, 'network.privateSubnetIds'),
  };
}

function worker(r: Reader, raw: Raw | undefined): WorkerSizing {
  const sizing = {
    cpu: r.int(raw, 'worker.cpu', 512, 256, 4096),
    memoryMiB: r.int(raw, 'worker.memoryMiB', 2048, 512, 30_720),
    minTasks: r.int(raw, 'worker.minTasks', 2, 1, 50),
    maxTasks: r.int(raw, 'worker.maxTasks', 8, 1, 100),
    targetBacklogPerTask: r.int(raw, 'worker.targetBacklogPerTask', 20, 1, 10_000),
    // Fargate stops a container at most 120 s after SIGTERM; keep 15 s for the drain itself.
    shutdownGraceSeconds: r.int(raw, 'worker.shutdownGraceSeconds', 60, 5, 105),
  };
  if (sizing.maxTasks < sizing.minTasks)
    r.problem('worker.maxTasks', 'must be at least worker.minTasks');
  return sizing;
}

/** Reads and validates environment `envName` from the context's `environments`. */
export function loadDeploymentConfig(environments: unknown, envName: string): DeploymentConfig {
  const raw = (environments as Raw | undefined)?.[envName] as Raw | undefined;
  if (!raw)
    throw new DeploymentConfigError(
      `context environments.${envName} is missing (choose one with -c env=NAME)`,
    );
  const r = new Reader(`environments.${envName}`);
  const flag = r.at(raw, 'production') ?? false;
  if (typeof flag !== 'boolean') r.problem('production', 'must be true or false');
  const production = flag === true;
  if (production && typeof raw.alarmEmail !== 'string')
    r.problem('alarmEmail', 'is required in production: a parked saga must reach a person');
  const config: DeploymentConfig = {
    envName,
    ...(typeof raw.account === 'string' ? { account: raw.account } : {}),
    ...(typeof raw.region === 'string' ? { region: raw.region } : {}),
    temporal: readTemporal(r, raw),
    services: {
      orderUrl: r.url(raw, 'services.orderUrl'),
      userUrl: r.url(raw, 'services.userUrl'),
      paymentUrl: r.url(raw, 'services.paymentUrl'),
    },
    apiAuth: readApiAuth(r, raw),
    lambda: readLambdaBudget(r, raw),
    corsOrigins: r.strings(raw, 'corsOrigins', []),
    throttle: {
      rateLimit: r.int(raw, 'throttle.rateLimit', 50, 1, 10_000),
      burstLimit: r.int(raw, 'throttle.burstLimit', 100, 1, 5_000),
    },
    healthThrottle: {
      rateLimit: r.int(raw, 'throttle.health.rateLimit', 5, 1, 10_000),
      burstLimit: r.int(raw, 'throttle.health.burstLimit', 10, 1, 5_000),
    },
    production,
    network: network(r, raw, production),
    worker: worker(r, raw),
    ...(typeof raw.alarmEmail === 'string' ? { alarmEmail: raw.alarmEmail } : {}),
    logRetentionDays: r.int(raw, 'logRetentionDays', 30, 1, 3653),
    workerOps: readWorkerOps(r, raw, envName),
  };
  if (r.problems.length > 0)
    throw new DeploymentConfigError(
      `invalid deployment configuration:\n- ${r.problems.join('\n- ')}`,
    );
  return config;
}
