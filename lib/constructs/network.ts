import {
  FlowLogDestination,
  GatewayVpcEndpointAwsService,
  InterfaceVpcEndpointAwsService,
  type IVpc,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Network } from '../config';
import { acknowledge } from '../nag-suppressions';

export interface SagaNetworkProps {
  readonly network: Network;
  readonly logRetention: RetentionDays;
}

/**
 * Where the worker runs. It only needs egress (Temporal Cloud and the three services):
 * a new VPC with one NAT gateway by default, or no NAT (public subnets, public IP, no
 * inbound rules) to save its cost, or an existing VPC described in configuration.
 */
export class SagaNetwork extends Construct {
  readonly vpc: IVpc;
  readonly workerSubnets: SubnetSelection;
  /** Fargate tasks need a public IP only when they sit in public subnets. */
  readonly assignPublicIp: boolean;

  constructor(scope: Construct, id: string, props: SagaNetworkProps) {
    super(scope, id);
    const { network } = props;
    if (network.kind === 'existing') {
      this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
        vpcId: network.vpcId,
        availabilityZones: [...network.availabilityZones],
        privateSubnetIds: [...network.privateSubnetIds],
      });
      this.workerSubnets = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
      this.assignPublicIp = false;
      return;
    }
    const withNat = network.natGateways > 0;
    const vpc = new Vpc(this, 'Vpc', {
      maxAzs: network.maxAzs,
      natGateways: network.natGateways,
      subnetConfiguration: [
        { name: 'public', subnetType: SubnetType.PUBLIC, cidrMask: 24 },
        ...(withNat
          ? [{ name: 'private', subnetType: SubnetType.PRIVATE_WITH_EGRESS, cidrMask: 22 }]
          : []),
      ],
    });
    vpc.addFlowLog('FlowLogs', {
      destination: FlowLogDestination.toCloudWatchLogs(
        new LogGroup(this, 'FlowLogGroup', { retention: props.logRetention }),
      ),
    });
    if (network.endpoints) addEndpoints(vpc);
    this.vpc = vpc;
    this.workerSubnets = {
      subnetType: withNat ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PUBLIC,
    };
    this.assignPublicIp = !withNat;
  }
}

/**
 * What the worker's tasks reach inside AWS, without the NAT gateways: image pulls (ECR's
 * api and dkr, and S3 where ECR keeps the layers), logs and the Temporal secret. One
 * interface endpoint per AZ each (docs/performance.md, cost table).
 */
function addEndpoints(vpc: Vpc): void {
  const subnets = { subnetType: SubnetType.PRIVATE_WITH_EGRESS };
  vpc.addGatewayEndpoint('S3', { service: GatewayVpcEndpointAwsService.S3, subnets: [subnets] });
  const services = {
    EcrApi: InterfaceVpcEndpointAwsService.ECR,
    EcrDocker: InterfaceVpcEndpointAwsService.ECR_DOCKER,
    Logs: InterfaceVpcEndpointAwsService.CLOUDWATCH_LOGS,
    SecretsManager: InterfaceVpcEndpointAwsService.SECRETS_MANAGER,
  };
  for (const [id, service] of Object.entries(services)) {
    const endpoint = vpc.addInterfaceEndpoint(id, { service, subnets, privateDnsEnabled: true });
    acknowledge(endpoint, 'endpointIngress');
  }
}
