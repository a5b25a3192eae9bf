import { type ISecret, Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { CREDENTIAL_VARS } from '../../functions/temporal/credential';
import type { LambdaBudget, TemporalCredential, TemporalSettings } from '../config';

export interface TemporalAccessProps {
  readonly temporal: TemporalSettings;
  readonly lambda: LambdaBudget;
}

/**
 * How everything reaches Temporal Cloud: address and namespace as plain settings, the
 * credentials as existing Secrets Manager secrets (created outside CDK, so their values
 * are never in a template): the worker's, and the Lambda functions' (the same secret
 * unless `temporal.auth.lambda` names one of its own).
 */
export class TemporalAccess extends Construct {
  /** The worker's credential. */
  readonly secret: ISecret;
  /** The Lambda functions' credential. */
  readonly lambdaSecret: ISecret;
  readonly address: string;
  readonly namespace: string;
  readonly authKind: TemporalSettings['auth']['kind'];
  private readonly budget: LambdaBudget;

  constructor(scope: Construct, id: string, props: TemporalAccessProps) {
    super(scope, id);
    const { auth } = props.temporal;
    this.secret = this.import('Credential', auth);
    this.lambdaSecret = auth.lambda ? this.import('LambdaCredential', auth.lambda) : this.secret;
    this.address = props.temporal.address;
    this.namespace = props.temporal.namespace;
    this.authKind = auth.kind;
    this.budget = props.lambda;
  }

  private import(id: string, credential: TemporalCredential): ISecret {
    return credential.secretArn
      ? Secret.fromSecretCompleteArn(this, id, credential.secretArn)
      : Secret.fromSecretNameV2(this, id, credential.secretName ?? '');
  }

  /** Environment for a Lambda: where to find the credential (not the credential), and its time bounds. */
  lambdaEnvironment(): Record<string, string> {
    return {
      TEMPORAL_ADDRESS: this.address,
      TEMPORAL_NAMESPACE: this.namespace,
      [CREDENTIAL_VARS.secretArn]: this.lambdaSecret.secretArn,
      [CREDENTIAL_VARS.kind]: this.authKind,
      TEMPORAL_SECRET_TIMEOUT_MS: String(this.budget.secretReadTimeoutMs),
      TEMPORAL_CONNECT_TIMEOUT_MS: String(this.budget.connectTimeoutMs),
      TEMPORAL_CALL_DEADLINE_MS: String(this.budget.callDeadlineMs),
    };
  }
}
