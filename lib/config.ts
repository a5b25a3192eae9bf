/**
 * Deployment configuration, one typed object per environment, read from the CDK context
 * (`cdk.json` → `environments.<name>`, chosen with `-c env=<name>`) and validated at synth
 * time: every problem is reported at once, each naming the setting.
 */
import { readWorkerOps, type WorkerOps } from './worker-ops-config';

/**
 * The Temporal credential, an existing Secrets Manager secret named by its complete ARN
 * (preferred) or its name. `apiKey`: the value is the API key; `mtls`: the value is JSON
 * `{"cert": PEM, "key": PEM}`.
 */
export interface TemporalAuth {
  readonly kind: 'apiKey' | 'mtls';
  readonly secretArn?: string;
  readonly secretName?: string;
}

export type ApiAuth =
  | { readonly kind: 'jwt'; readonly issuer: string; readonly audience: readonly string[] }
  | { readonly kind: 'iam' };

export type Network =
  /** A new VPC; `natGateways: 0` puts the worker in public subnets with a public IP. */
  | { readonly kind: 'new'; readonly maxAzs: number; readonly natGateways: number }
  /** An existing VPC, described (no lookup: synth needs no AWS credentials). */
  | {
      readonly kind: 'existing';
      readonly vpcId: string;
      readonly availabilityZones: readonly string[];
      readonly privateSubnetIds: readonly string[];
    };

export interface WorkerSizing {
  readonly cpu: number;
  readonly memoryMiB: number;
  readonly minTasks: number;
  readonly maxTasks: number;
  /** Time in-flight activities get after SIGTERM; the container's stopTimeout is larger. */
  readonly shutdownGraceSeconds: number;
}

export interface DeploymentConfig {
  readonly envName: string;
  readonly account?: string;
  readonly region?: string;
  readonly temporal: {
    readonly address: string;
    readonly namespace: string;
    readonly auth: TemporalAuth;
  };
  readonly services: {
    readonly orderUrl: string;
    readonly userUrl: string;
    readonly paymentUrl: string;
  };
  readonly apiAuth: ApiAuth;
  /** CORS origins allowed to call the API (@default none: server-to-server only). */
  readonly corsOrigins: readonly string[];
  readonly throttle: { readonly rateLimit: number; readonly burstLimit: number };
  readonly network: Network;
  readonly worker: WorkerSizing;
  /** Alarm notifications go to this address (@default none: subscribe to the topic yourself). */
  readonly alarmEmail?: string;
  readonly logRetentionDays: number;
  /** The worker's metrics sidecar and versioned deploys (lib/worker-ops-config.ts). */
  readonly workerOps: WorkerOps;
}

export class DeploymentConfigError extends Error {
  override readonly name = 'DeploymentConfigError';
}

type Raw = Record<string, unknown>;

class Reader {
  readonly problems: string[] = [];
  constructor(readonly prefix: string) {}

  private at(raw: Raw | undefined, path: string): unknown {
    return path.split('.').reduce<unknown>((node, key) => (node as Raw | undefined)?.[key], raw);
  }

  string(raw: Raw | undefined, path: string, fallback?: string): string {
    const value = this.at(raw, path) ?? fallback;
    if (typeof value === 'string' && value.length > 0) return value;
    this.problems.push(`${this.prefix}.${path} is required (a non-empty string)`);
    return '';
  }

  url(raw: Raw | undefined, path: string): string {
    const value = this.string(raw, path);
    if (value && !/^https?:\/\/[^\s]+$/.test(value))
      this.problems.push(`${this.prefix}.${path} must be an http(s) URL`);
    return value;
  }

  int(raw: Raw | undefined, path: string, fallback: number, min: number, max: number): number {
    const value = this.at(raw, path) ?? fallback;
    if (Number.isInteger(value) && (value as number) >= min && (value as number) <= max)
      return value as number;
    this.problems.push(`${this.prefix}.${path} must be an integer from ${min} to ${max}`);
    return fallback;
  }

  strings(raw: Raw | undefined, path: string, fallback?: string[]): string[] {
    const value = this.at(raw, path) ?? fallback;
    if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
    this.problems.push(`${this.prefix}.${path} must be a list of strings`);
    return [];
  }

  oneOf<T extends string>(
    raw: Raw | undefined,
    path: string,
    allowed: readonly T[],
    fallback?: T,
  ): T {
    const value = this.at(raw, path) ?? fallback;
    if (allowed.includes(value as T)) return value as T;
    this.problems.push(`${this.prefix}.${path} must be one of ${allowed.join(', ')}`);
    return allowed[0] as T;
  }
}

function temporalAuth(r: Reader, raw: Raw | undefined): TemporalAuth {
  const kind = r.oneOf(raw, 'temporal.auth.kind', ['apiKey', 'mtls'] as const, 'apiKey');
  const auth = (raw?.temporal as Raw | undefined)?.auth as Raw | undefined;
  if (typeof auth?.secretArn === 'string' && auth.secretArn.startsWith('arn:'))
    return { kind, secretArn: auth.secretArn };
  if (auth?.secretArn !== undefined) {
    r.problems.push(`${r.prefix}.temporal.auth.secretArn must be a complete secret ARN`);
    return { kind };
  }
  return { kind, secretName: r.string(raw, 'temporal.auth.secretName') };
}

function apiAuth(r: Reader, raw: Raw | undefined): ApiAuth {
  const kind = r.oneOf(raw, 'apiAuth.kind', ['jwt', 'iam'] as const);
  if (kind === 'iam') return { kind };
  return {
    kind,
    issuer: r.url(raw, 'apiAuth.issuer'),
    audience: r.strings(raw, 'apiAuth.audience'),
  };
}

function network(r: Reader, raw: Raw | undefined): Network {
  const kind = r.oneOf(raw, 'network.kind', ['new', 'existing'] as const, 'new');
  if (kind === 'new') {
    return {
      kind,
      maxAzs: r.int(raw, 'network.maxAzs', 2, 1, 3),
      natGateways: r.int(raw, 'network.natGateways', 1, 0, 3),
    };
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
    maxTasks: r.int(raw, 'worker.maxTasks', 6, 1, 100),
    // Fargate stops a container at most 120 s after SIGTERM; keep 15 s for the drain itself.
    shutdownGraceSeconds: r.int(raw, 'worker.shutdownGraceSeconds', 60, 5, 105),
  };
  if (sizing.maxTasks < sizing.minTasks)
    r.problems.push('worker.maxTasks must be at least worker.minTasks');
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
  const config: DeploymentConfig = {
    envName,
    ...(typeof raw.account === 'string' ? { account: raw.account } : {}),
    ...(typeof raw.region === 'string' ? { region: raw.region } : {}),
    temporal: {
      address: r.string(raw, 'temporal.address'),
      namespace: r.string(raw, 'temporal.namespace'),
      auth: temporalAuth(r, raw),
    },
    services: {
      orderUrl: r.url(raw, 'services.orderUrl'),
      userUrl: r.url(raw, 'services.userUrl'),
      paymentUrl: r.url(raw, 'services.paymentUrl'),
    },
    apiAuth: apiAuth(r, raw),
    corsOrigins: r.strings(raw, 'corsOrigins', []),
    throttle: {
      rateLimit: r.int(raw, 'throttle.rateLimit', 50, 1, 10_000),
      burstLimit: r.int(raw, 'throttle.burstLimit', 100, 1, 5_000),
    },
    network: network(r, raw),
    worker: worker(r, raw),
    ...(typeof raw.alarmEmail === 'string' ? { alarmEmail: raw.alarmEmail } : {}),
    logRetentionDays: r.int(raw, 'logRetentionDays', 30, 1, 3653),
    workerOps: readWorkerOps(raw, r.prefix, envName, r.problems),
  };
  if (r.problems.length > 0)
    throw new DeploymentConfigError(
      `invalid deployment configuration:\n- ${r.problems.join('\n- ')}`,
    );
  return config;
}
