import { join } from 'node:path';
import { Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { LogLevel, NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { type ILogGroup, LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

const ROOT = join(import.meta.dirname, '..', '..');

export interface NodeFunctionProps {
  /** Handler file, relative to the repository root (e.g. `functions/trigger/handler.ts`). */
  readonly entry: string;
  readonly environment?: Record<string, string>;
  readonly logRetention: RetentionDays;
  /** @default 10 seconds */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
}

/**
 * One of our Lambda functions: Node 24 on arm64 (cheaper per ms, same code), bundled
 * locally by esbuild (minified, ESM, source maps for readable stack traces), with a log
 * group of its own whose retention is set, and a role that may write only to it.
 */
export class NodeFunction extends Construct {
  readonly function: NodejsFunction;
  readonly logGroup: ILogGroup;

  constructor(scope: Construct, id: string, props: NodeFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'Logs', { retention: props.logRetention });
    // Its own role, allowed to write to its own log group only (no AWS managed policy).
    const role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
    });
    this.logGroup.grantWrite(role);
    this.function = new NodejsFunction(this, 'Function', {
      role,
      entry: join(ROOT, props.entry),
      projectRoot: ROOT,
      depsLockFilePath: join(ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      timeout: props.timeout ?? Duration.seconds(10),
      memorySize: props.memorySize ?? 512,
      logGroup: this.logGroup,
      environment: { NODE_OPTIONS: '--enable-source-maps', ...props.environment },
      bundling: {
        minify: true,
        sourceMap: true,
        format: OutputFormat.ESM,
        target: 'node24',
        forceDockerBundling: false,
        // esbuild's size summary (large bundles flagged) is noise at every synth.
        logLevel: LogLevel.WARNING,
        // ESM bundles of CommonJS dependencies need a require() of their own.
        banner:
          "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
        externalModules: ['@aws-sdk/*'],
      },
    });
  }
}
