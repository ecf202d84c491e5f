import { Construct } from "constructs";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { customerManagedKeyPolicy } from "../aws/iam-policies";

export interface EncryptionKeyProps {
  /** Deployment name; the key's alias is `alias/<name>`. */
  readonly name: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** Name of the log group that may use the key through CloudWatch Logs. */
  readonly logGroupName: string;
  /**
   * Days before a scheduled key deletion completes.
   * @default 30
   */
  readonly deletionWindowInDays?: number;
  /**
   * Also encrypt EC2 container instances' EBS volumes: lets EC2 Auto Scaling's service-linked role use the key.
   * @default false
   */
  readonly ebsForAutoScaling?: boolean;
  /**
   * Also encrypt the alarm topic: lets CloudWatch alarms publish to it.
   * @default false
   */
  readonly cloudWatchAlarms?: boolean;
  /**
   * Also encrypt the ephemeral storage of this ECS cluster's Fargate tasks: lets Fargate use the key for it.
   * @default - not for Fargate storage
   */
  readonly fargateEphemeralStorageOfCluster?: string;
}

/** A customer-managed KMS key with yearly rotation for the credentials secret and the log group (and EC2 volumes). */
export class EncryptionKey extends Construct {
  readonly keyArn: string;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    const deletionWindowInDays = props.deletionWindowInDays ?? 30;
    if (!Number.isInteger(deletionWindowInDays) || deletionWindowInDays < 7 || deletionWindowInDays > 30) {
      throw new Error(`EncryptionKey deletionWindowInDays ${deletionWindowInDays} is invalid: use a whole number from 7 to 30`);
    }
    const key = new KmsKey(this, "key", {
      description: `${props.name}: registry credentials secret${props.ebsForAutoScaling ? ", logs and instance volumes" : " and logs"}`,
      enableKeyRotation: true,
      deletionWindowInDays,
      policy: JSON.stringify(
        customerManagedKeyPolicy({
          accountId: props.accountId,
          partition: props.partition,
          region: props.region,
          logGroupArn: `arn:${props.partition}:logs:${props.region}:${props.accountId}:log-group:${props.logGroupName}`,
          ebsForAutoScaling: props.ebsForAutoScaling,
          cloudWatchAlarms: props.cloudWatchAlarms,
          fargateEphemeralStorageOfCluster: props.fargateEphemeralStorageOfCluster,
        }),
      ),
    });
    new KmsAlias(this, "alias", { name: `alias/${props.name}`, targetKeyId: key.keyId });
    this.keyArn = key.arn;
  }
}
