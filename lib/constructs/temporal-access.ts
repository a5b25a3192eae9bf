import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import type { DeploymentConfig } from '../config';

/**
 * How everything reaches Temporal Cloud: address and namespace as plain settings, the
 * credential as an existing Secrets Manager secret (created outside CDK, so its value is
 * never in a template).
 */
export class TemporalAccess extends Construct {
  readonly secret: ISecret;
  readonly address: string;
  readonly namespace: string;
  readonly authKind: DeploymentConfig['temporal']['auth']['kind'];

  constructor(scope: Construct, id: string, config: DeploymentConfig['temporal']) {
    super(scope, id);
    const { secretArn, secretName } = config.auth;
    this.secret = secretArn
      ? Secret.fromSecretCompleteArn(this, 'Credential', secretArn)
      : Secret.fromSecretNameV2(this, 'Credential', secretName ?? '');
    this.address = config.address;
    this.namespace = config.namespace;
    this.authKind = config.auth.kind;
  }

  /** Environment for a Lambda: where to find the credential, not the credential. */
  lambdaEnvironment(): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: this.address,
      TEMPORAL_NAMESPACE: this.namespace,
      TEMPORAL_SECRET_ARN: this.secret.secretArn,
      TEMPORAL_SECRET_KIND: this.authKind,
    };
  }
}
