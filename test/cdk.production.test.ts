import { describe, expect, it } from 'vitest';
import { loadDeploymentConfig } from '../lib/config';
import { devEnvironment, synth } from './support/synth';

// The example environment without its explicit natGateways, so the defaults apply.
const PROD = {
  production: true,
  alarmEmail: 'oncall@example.com',
  network: { kind: 'new', maxAzs: 2 },
};
const load = (overrides: Record<string, unknown>) =>
  loadDeploymentConfig({ dev: { ...devEnvironment, ...overrides } }, 'dev');

/**
 * `production: true` says which environment serves real orders, and sets its defaults:
 * an AZ event must not cut every worker off from Temporal Cloud, and a parked saga must
 * reach a person.
 */
describe('CDK: a production environment', () => {
  it('requires alarmEmail, naming it', () => {
    expect(() => load({ production: true })).toThrow(
      'environments.dev.alarmEmail is required in production',
    );
  });

  it('defaults to one NAT gateway per AZ and VPC endpoints; other environments to one NAT', () => {
    expect(load(PROD).network).toEqual({
      kind: 'new',
      maxAzs: 2,
      natGateways: 2,
      endpoints: true,
    });
    expect(load({}).network).toEqual({ kind: 'new', maxAzs: 2, natGateways: 1, endpoints: false });
  });

  it.each([
    ['production', { production: 'yes' }],
    ['network.natGateways', { network: { kind: 'new', maxAzs: 2, natGateways: 3 } }],
    ['network.endpoints', { network: { kind: 'new', natGateways: 0, endpoints: true } }],
  ])('names %s when it cannot work', (name, overrides) => {
    expect(() => load(overrides)).toThrow(`environments.dev.${name}`);
  });

  it('synthesizes a NAT gateway in each AZ and endpoints for ECR, logs, secrets and S3', () => {
    const { worker } = synth(PROD);
    worker.resourceCountIs('AWS::EC2::NatGateway', 2);
    const endpoints = Object.values(worker.findResources('AWS::EC2::VPCEndpoint')).map(
      (e) => (e as { Properties: { VpcEndpointType?: string; ServiceName: unknown } }).Properties,
    );
    const names = endpoints.map((e) => JSON.stringify(e.ServiceName));
    for (const service of ['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager', 's3']) {
      expect(names.some((n) => n.includes(`.${service}`))).toBe(true);
    }
    expect(endpoints.filter((e) => e.VpcEndpointType === 'Interface')).toHaveLength(4);
  });
});
