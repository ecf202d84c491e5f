import { Construct } from "constructs";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { ecsTasksTrustPolicy, executionRolePolicy } from "../aws/iam-policies";

export interface TaskExecutionRoleProps {
  /** Deployment name; the role is `<name>-execution`. */
  readonly name: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /**
   * ARN of the registry credentials secret (`repositoryCredentials`): the only secret besides
   * `containerSecretSources` it may read.
   * @default - none: the EC2 instances' agent authenticates to the registry (agent-dockercfg), tasks never read it
   */
  readonly registrySecretArn?: string;
  /**
   * ARNs the container's `secrets` come from (Secrets Manager or SSM Parameter Store).
   * @default []
   */
  readonly containerSecretSources?: readonly string[];
  /**
   * Customer-managed keys encrypting those secrets; kms:Decrypt is granted only via Secrets Manager.
   * @default [] - AWS-managed keys need no grant
   */
  readonly kmsKeyArns?: readonly string[];
  /** ARN of the service's log group (without `:*`). */
  readonly logGroupArn: string;
  /**
   * The ECR pull-through cache's repositories (`arn:…:repository/<prefix>/*`) the image is pulled through.
   * @default - the image is pulled from its registry with `registrySecretArn`
   */
  readonly mirrorRepositoriesArn?: string;
}

/**
 * The role ECS assumes to start tasks: pull with the registry credentials, read container secrets, write logs.
 * Nothing else, and never a managed policy with `*` resources.
 */
export class TaskExecutionRole extends Construct {
  readonly roleArn: string;
  readonly roleName: string;
  /** The permissions; services depend on it so no task starts before the role can read the secret. */
  readonly policy: IamRolePolicy;

  constructor(scope: Construct, id: string, props: TaskExecutionRoleProps) {
    super(scope, id);
    const role = new IamRole(this, "role", {
      name: `${props.name}-execution`,
      description: `ECS task execution role for ${props.name}: registry credentials, container secrets, logs`,
      assumeRolePolicy: JSON.stringify(ecsTasksTrustPolicy(props.accountId, props.partition, props.region)),
    });
    this.policy = new IamRolePolicy(this, "policy", {
      name: "pull-image-read-secrets-write-logs",
      role: role.id,
      policy: JSON.stringify(
        executionRolePolicy({
          registrySecretArn: props.registrySecretArn,
          containerSecretSources: props.containerSecretSources ?? [],
          kmsKeyArns: props.kmsKeyArns ?? [],
          logGroupArn: props.logGroupArn,
          region: props.region,
          mirrorRepositoriesArn: props.mirrorRepositoriesArn,
        }),
      ),
    });
    this.roleArn = role.arn;
    this.roleName = role.name;
  }
}
