import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Findings of cdk-nag's AwsSolutions pack that were reviewed and accepted, each with its
 * reason. Every other finding fails the synth.
 */
export const REVIEWED_FINDINGS = {
  openHealthRoute: {
    id: 'AwsSolutions-APIG4',
    reason:
      'GET /health is deliberately unauthenticated: it answers a constant and touches nothing.',
  },
  putMetricData: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'cloudwatch:PutMetricData has no resource-level permissions; a cloudwatch:namespace condition limits it.',
  },
  ecsExecutionRole: {
    id: 'AwsSolutions-IAM5[Resource::*]',
    reason:
      'ecr:GetAuthorizationToken, required to pull the worker image, only accepts Resource "*".',
  },
  endpointIngress: {
    id: 'AwsSolutions-EC23',
    reason:
      "VPC endpoints accept 443 from the VPC's own CIDR only (a token cdk-nag cannot resolve at synth), never from 0.0.0.0/0.",
  },
  workerPlainSettings: {
    id: 'AwsSolutions-ECS2',
    reason:
      'Plain environment holds only non-secret settings (addresses, URLs, timeouts); the Temporal credential is an ECS secret.',
  },
} as const;

export function acknowledge(scope: IConstruct, finding: keyof typeof REVIEWED_FINDINGS): void {
  Validations.of(scope).acknowledge(REVIEWED_FINDINGS[finding]);
}
