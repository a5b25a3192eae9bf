import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlarmTopicProps {
  /** Subscribed to the topic (@default none: subscribe to it yourself). */
  readonly email?: string;
}

const CLOUDWATCH = new ServicePrincipal('cloudwatch.amazonaws.com');

/**
 * The SNS topic every alarm notifies, encrypted with a key of its own. The AWS-managed
 * key `alias/aws/sns` cannot be used: its policy cannot be changed to let CloudWatch
 * encrypt the messages it publishes, so every alarm notification would be dropped.
 */
export class AlarmTopic extends Construct {
  readonly topic: Topic;
  readonly key: Key;

  constructor(scope: Construct, id: string, props: AlarmTopicProps = {}) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'complete-order-saga: encrypts alarm notifications',
      enableKeyRotation: true,
      pendingWindow: Duration.days(7),
      // Nothing is stored under this key (SNS messages are transient): no data to keep.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // The statement AWS documents for CloudWatch publishing to an encrypted topic.
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsEncryptNotifications',
        principals: [CLOUDWATCH],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'complete-order-saga alarms',
      enforceSSL: true,
      masterKey: this.key,
    });
    // enforceSSL creates a topic policy, which replaces the default one: CloudWatch must be
    // allowed explicitly, and only for alarms of this account and region.
    const { account, region, partition } = Stack.of(this);
    this.topic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [CLOUDWATCH],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: {
          ArnLike: { 'aws:SourceArn': `arn:${partition}:cloudwatch:${region}:${account}:alarm:*` },
          StringEquals: { 'aws:SourceAccount': account },
        },
      }),
    );
    if (props.email) this.topic.addSubscription(new EmailSubscription(props.email));
  }
}
