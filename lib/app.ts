import { App, Tags, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { ApiStack } from './api-stack';
import { type DeploymentConfig, loadDeploymentConfig } from './config';
import { MonitoringStack } from './monitoring-stack';
import { WorkerStack } from './worker-stack';

export interface SagaApp {
  app: App;
  config: DeploymentConfig;
  api: ApiStack;
  worker: WorkerStack;
  monitoring: MonitoringStack;
}

/** Builds the three stacks of one environment, with cdk-nag's AwsSolutions checks. */
export function buildApp(app: App = new App()): SagaApp {
  const envName = (app.node.tryGetContext('env') as string | undefined) ?? 'dev';
  const config = loadDeploymentConfig(app.node.tryGetContext('environments'), envName);
  const env = { account: config.account, region: config.region };
  const prefix = `CompleteOrderSaga-${envName}`;
  const api = new ApiStack(app, `${prefix}-Api`, { env, config });
  const worker = new WorkerStack(app, `${prefix}-Worker`, { env, config });
  const monitoring = new MonitoringStack(app, `${prefix}-Monitoring`, {
    env,
    api: api.api,
    worker: worker.worker,
    backlog: worker.backlog,
    ...(config.alarmEmail ? { alarmEmail: config.alarmEmail } : {}),
  });
  Tags.of(app).add('service', 'complete-order-saga');
  Tags.of(app).add('environment', envName);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return { app, config, api, worker, monitoring };
}
