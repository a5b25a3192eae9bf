import {
  FlowLogDestination,
  type IVpc,
  type SubnetSelection,
  SubnetType,
  Vpc,
} from 'aws-cdk-lib/aws-ec2';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Network } from '../config';

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
    this.vpc = vpc;
    this.workerSubnets = {
      subnetType: withNat ? SubnetType.PRIVATE_WITH_EGRESS : SubnetType.PUBLIC,
    };
    this.assignPublicIp = !withNat;
  }
}
