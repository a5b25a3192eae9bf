import { Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import type { DeploymentConfig } from './config';
import { SagaApi } from './constructs/saga-api';
import { TemporalAccess } from './constructs/temporal-access';
import { retention } from './retention';

export interface ApiStackProps extends StackProps {
  readonly config: DeploymentConfig;
}

/** API Gateway + Lambda: what the mobile backend calls. */
export class ApiStack extends Stack {
  readonly api: SagaApi;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const temporal = new TemporalAccess(this, 'Temporal', props.config);
    this.api = new SagaApi(this, 'Api', {
      config: props.config,
      temporal,
      logRetention: retention(props.config),
    });
  }
}
