import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { synthApp } from './support/synth';

const README = readFileSync(join(import.meta.dirname, '..', 'README.md'), 'utf8');
const section = (title: string) => {
  const start = README.indexOf(`### ${title}`);
  expect(start, title).toBeGreaterThanOrEqual(0);
  return README.slice(start, README.indexOf('\n### ', start + 4));
};
const saga = synthApp({}, { bundle: false });
const templates = [saga.api, saga.worker, saga.monitoring].map((s) => Template.fromStack(s));
const resources = (type: string) => templates.flatMap((t) => Object.values(t.findResources(type)));

/** The README is what a first deploy reads: it must not drift from the templates. */
describe('README: deploying to AWS', () => {
  const costs = section('Cost at rest');

  it('prices every billable resource the templates create', () => {
    const priced: Record<string, string> = {
      'AWS::ECS::Service': 'Fargate',
      'AWS::EC2::NatGateway': 'NAT gateway',
      'AWS::EC2::EIP': 'Public IPv4',
      'AWS::EC2::FlowLog': 'flow logs',
      'AWS::KMS::Key': 'KMS key',
      'AWS::CloudWatch::Dashboard': 'dashboard',
      'AWS::Lambda::Function': 'Lambda',
      'AWS::ApiGatewayV2::Api': 'API Gateway',
    };
    for (const [type, phrase] of Object.entries(priced)) {
      expect(resources(type).length, type).toBeGreaterThan(0);
      expect(costs, type).toContain(phrase);
    }
    const [cluster] = resources('AWS::ECS::Cluster');
    expect(JSON.stringify(cluster?.Properties.ClusterSettings)).toContain('containerInsights');
    for (const phrase of [
      'Container Insights',
      'Secrets Manager: 2 secrets',
      'ADOT collector sidecar (if metrics export is on)',
    ])
      expect(costs).toContain(phrase);
  });

  it('counts the alarms and the metrics they read as the templates do', () => {
    const alarms = resources('AWS::CloudWatch::Alarm').map((a) => a.Properties);
    const metrics = alarms
      .map((a) =>
        a.MetricName ? 1 : a.Metrics.filter((m: { MetricStat?: unknown }) => m.MetricStat).length,
      )
      .reduce((sum: number, n: number) => sum + n, 0);
    expect(costs).toContain(`${alarms.length} alarms over ${metrics} metrics`);
  });

  it('walks a first deploy through Temporal Cloud, secrets, Clerk, config, synth, bootstrap, deploy, checks', () => {
    const steps = section('First deploy, in order');
    const order = [
      'Temporal Cloud',
      'Store them',
      'Clerk',
      'cdk.json',
      'npm run synth',
      'cdk bootstrap',
      'cdk deploy',
      'Smoke test',
    ];
    const positions = order.map((step) => steps.indexOf(step));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
  });
});
