import { Construct } from "constructs";
import { SnsTopic } from "@cdktf/provider-aws/lib/sns-topic";
import { SnsTopicPolicy } from "@cdktf/provider-aws/lib/sns-topic-policy";
import { SnsTopicSubscription } from "@cdktf/provider-aws/lib/sns-topic-subscription";
import { alarmTopicPolicy } from "../aws/iam-policies";

export interface AlarmTopicProps {
  /** The topic is `<name>-alarms`. */
  readonly name: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /**
   * The key the topic is encrypted with; its policy must let `cloudwatch.amazonaws.com` use it (EncryptionKey's
   * does with `cloudWatchAlarms`). AWS's own `alias/aws/sns` cannot be used: CloudWatch may not use that key.
   * @default - not encrypted at rest
   */
  readonly kmsKeyArn?: string;
  /**
   * Email addresses subscribed to the topic; each confirms once from the message SNS sends.
   * @default []
   */
  readonly emails?: readonly string[];
}

/** The SNS topic an environment's alarms notify: only CloudWatch alarms of this account and region may publish. */
export class AlarmTopic extends Construct {
  readonly topicArn: string;

  constructor(scope: Construct, id: string, props: AlarmTopicProps) {
    super(scope, id);
    const emails = props.emails ?? [];
    const lower = emails.map((email) => email.toLowerCase());
    const duplicate = emails.find((_, i) => lower.indexOf(lower[i]) !== i);
    if (duplicate) throw new Error(`AlarmTopic email ${duplicate} is listed twice (addresses are case-insensitive): list each address once`);
    const topic = new SnsTopic(this, "topic", { name: `${props.name}-alarms`, displayName: `${props.name} alarms`, kmsMasterKeyId: props.kmsKeyArn });
    new SnsTopicPolicy(this, "policy", {
      arn: topic.arn,
      policy: JSON.stringify(alarmTopicPolicy({ topicArn: topic.arn, accountId: props.accountId, partition: props.partition, region: props.region })),
    });
    // Addressed by the email, so removing one address leaves the others' subscriptions (and confirmations) alone.
    for (const email of emails) new SnsTopicSubscription(this, `email-${email.toLowerCase()}`, { topicArn: topic.arn, protocol: "email", endpoint: email });
    this.topicArn = topic.arn;
  }
}
