/**
 * IAM policy documents as plain data. Values may be cdktf tokens (string placeholders for Terraform references);
 * they survive JSON.stringify and resolve at synth.
 */

export interface PolicyStatement {
  Sid?: string;
  Effect: "Allow" | "Deny";
  Principal?: Record<string, string | string[]>;
  Action: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version: "2012-10-17";
  Statement: PolicyStatement[];
}

/** Trust policy for ECS task and execution roles, guarded against the confused deputy by the calling account. */
export function ecsTasksTrustPolicy(accountId: string, partition: string, region: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EcsTasksOfThisAccountOnly",
        Effect: "Allow",
        Principal: { Service: "ecs-tasks.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": accountId },
          ArnLike: { "aws:SourceArn": `arn:${partition}:ecs:${region}:${accountId}:*` },
        },
      },
    ],
  };
}

export interface ExecutionRolePolicyInput {
  /**
   * Registry credentials secret ARN (the exact ARN, never a wildcard) for `repositoryCredentials`; undefined when the
   * EC2 instances' agent authenticates to the registry instead (agent-dockercfg), so the tasks need no access.
   */
  readonly registrySecretArn?: string;
  /** Container `secrets` sources (Secrets Manager ARNs, possibly with `:json-key:stage:id`, or SSM parameter ARNs). */
  readonly containerSecretSources: readonly string[];
  /** Customer-managed keys that encrypt any of those secrets. */
  readonly kmsKeyArns: readonly string[];
  /** The service's log group ARN (as `aws_cloudwatch_log_group.arn`, without `:*`). */
  readonly logGroupArn: string;
  readonly region: string;
  /**
   * The pull-through cache's repositories (`arn:…:repository/<prefix>/*`) when ECS pulls through the ECR mirror.
   * @default - the image does not come from ECR: no ECR statement
   */
  readonly mirrorRepositoriesArn?: string;
}

/**
 * What pulling through an ECR pull-through cache takes: an authorization token (no resource), and on the cache's
 * repositories the two pull actions plus the two that let the first pull of an image create its repository and
 * import it from upstream.
 */
export function mirrorPullStatements(mirrorRepositoriesArn: string): PolicyStatement[] {
  return [
    { Sid: "EcrAuthorizationToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
    {
      Sid: "PullThroughTheCache",
      Effect: "Allow",
      Action: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchImportUpstreamImage", "ecr:CreateRepository"],
      Resource: mirrorRepositoriesArn,
    },
  ];
}

/**
 * The task execution role's only permissions: read the listed secrets, decrypt through Secrets Manager, pull through
 * the ECR mirror when there is one, write to its own log group.
 */
export function executionRolePolicy(input: ExecutionRolePolicyInput): PolicyDocument {
  const containerSecretArns = input.containerSecretSources.filter(isSecretsManagerArn).map(secretArnOf);
  const secretArns = unique(input.registrySecretArn ? [input.registrySecretArn, ...containerSecretArns] : containerSecretArns);
  const parameterArns = unique(input.containerSecretSources.filter((source) => !isSecretsManagerArn(source)));
  const statements: PolicyStatement[] = [];
  if (secretArns.length > 0) {
    statements.push({
      Sid: input.registrySecretArn ? "ReadRegistryAndContainerSecrets" : "ReadContainerSecrets",
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: secretArns,
    });
  }
  if (parameterArns.length > 0) {
    statements.push({ Sid: "ReadContainerParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: parameterArns });
  }
  if (input.kmsKeyArns.length > 0) statements.push(decryptThroughSecretsManager(input.kmsKeyArns, input.region));
  if (input.mirrorRepositoriesArn) statements.push(...mirrorPullStatements(input.mirrorRepositoriesArn));
  statements.push({
    Sid: "WriteOwnLogGroup",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${input.logGroupArn}:log-stream:*`,
  });
  return { Version: "2012-10-17", Statement: statements };
}

function decryptThroughSecretsManager(kmsKeyArns: readonly string[], region: string): PolicyStatement {
  return {
    Sid: "DecryptSecretsThroughSecretsManagerOnly",
    Effect: "Allow",
    Action: "kms:Decrypt",
    Resource: unique(kmsKeyArns),
    Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
  };
}

/** Trust policy of the ECS container instances' role. */
export function ec2TrustPolicy(): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "Ec2InstancesAssume", Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
  };
}

export interface ContainerInstancePolicyInput {
  readonly clusterArn: string;
  /** The cluster's name, for the container-instance ARNs the agent polls as. */
  readonly clusterName: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /**
   * agent-dockercfg: the registry secret the user data reads at boot, and its customer-managed key if any.
   * @default - task auth: the instance never reads the credential
   */
  readonly registrySecret?: { readonly arn: string; readonly kmsKeyArn?: string };
  /** ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM=ec2_instance needs ec2:DescribeTags. */
  readonly describeTags?: boolean;
}

/**
 * What the ECS agent on a container instance calls, scoped to one cluster: the ECS actions of AWS's
 * AmazonEC2ContainerServiceforEC2Role without its `*` resources. Its ECR and CloudWatch Logs actions are left out: the
 * image is not in ECR, and the awslogs driver writes with the task execution role.
 */
export function containerInstancePolicy(input: ContainerInstancePolicyInput): PolicyDocument {
  const containerInstances = `arn:${input.partition}:ecs:${input.region}:${input.accountId}:container-instance/${input.clusterName}/*`;
  const statements: PolicyStatement[] = [
    {
      Sid: "JoinThisClusterOnly",
      Effect: "Allow",
      Action: [
        "ecs:RegisterContainerInstance",
        "ecs:DeregisterContainerInstance",
        "ecs:SubmitAttachmentStateChanges",
        "ecs:SubmitContainerStateChange",
        "ecs:SubmitTaskStateChange",
        "ecs:UpdateContainerInstancesState",
      ],
      Resource: input.clusterArn,
    },
    {
      Sid: "PollAsThisClustersInstances",
      Effect: "Allow",
      Action: ["ecs:Poll", "ecs:StartTelemetrySession"],
      Resource: containerInstances,
      Condition: { ArnEquals: { "ecs:cluster": input.clusterArn } },
    },
    // DiscoverPollEndpoint supports no resource-level permissions: "*" is the only form IAM accepts.
    { Sid: "DiscoverPollEndpoint", Effect: "Allow", Action: "ecs:DiscoverPollEndpoint", Resource: "*" },
  ];
  if (input.describeTags) {
    // ec2:DescribeTags has no resource-level permissions either.
    statements.push({ Sid: "PropagateInstanceTags", Effect: "Allow", Action: "ec2:DescribeTags", Resource: "*" });
  }
  if (input.registrySecret) {
    statements.push({ Sid: "ReadRegistrySecretAtBoot", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: [input.registrySecret.arn] });
    if (input.registrySecret.kmsKeyArn) statements.push(decryptThroughSecretsManager([input.registrySecret.kmsKeyArn], input.region));
  }
  return { Version: "2012-10-17", Statement: statements };
}

export interface KeyPolicyInput {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** Log group ARN pattern allowed to use the key (`arn:...:log-group:NAME`). */
  readonly logGroupArn: string;
  /**
   * Let EC2 Auto Scaling's service-linked role encrypt the instances' EBS volumes with the key. Without it, an ASG
   * whose launch template names the key cannot launch instances.
   * @default false
   */
  readonly ebsForAutoScaling?: boolean;
  /**
   * Let CloudWatch alarms publish to an SNS topic encrypted with the key (CloudWatch encrypts the message it sends).
   * @default false
   */
  readonly cloudWatchAlarms?: boolean;
  /**
   * Let Fargate encrypt the ephemeral storage of this cluster's tasks with the key (the cluster's
   * `managed_storage_configuration`): a data key per task, and a grant to decrypt it, for this cluster only.
   * @default - no statement for Fargate
   */
  readonly fargateEphemeralStorageOfCluster?: string;
}

/**
 * Key policy for the created CMK: the account administers it through IAM (AWS's default statement), and CloudWatch
 * Logs may use it only for this deployment's log group. Secrets Manager needs no statement: it acts as the caller.
 */
export function customerManagedKeyPolicy(input: KeyPolicyInput): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountAdministersThroughIam",
        Effect: "Allow",
        Principal: { AWS: `arn:${input.partition}:iam::${input.accountId}:root` },
        Action: "kms:*",
        Resource: "*",
      },
      {
        Sid: "CloudWatchLogsForThisLogGroupOnly",
        Effect: "Allow",
        Principal: { Service: `logs.${input.region}.amazonaws.com` },
        Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
        Resource: "*",
        Condition: { ArnEquals: { "kms:EncryptionContext:aws:logs:arn": input.logGroupArn } },
      },
      ...(input.ebsForAutoScaling ? autoScalingEbsStatements(input) : []),
      ...(input.fargateEphemeralStorageOfCluster ? fargateEphemeralStorageStatements(input, input.fargateEphemeralStorageOfCluster) : []),
      ...(input.cloudWatchAlarms
        ? [
            {
              Sid: "CloudWatchAlarmsPublishToEncryptedTopic",
              Effect: "Allow" as const,
              Principal: { Service: "cloudwatch.amazonaws.com" },
              Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
              Resource: "*",
            },
          ]
        : []),
    ],
  };
}

/** The two statements AWS documents for Fargate ephemeral storage encrypted with a CMK, for one cluster. */
function fargateEphemeralStorageStatements(input: KeyPolicyInput, clusterName: string): PolicyStatement[] {
  const ofCluster = { "kms:EncryptionContext:aws:ecs:clusterAccount": [input.accountId], "kms:EncryptionContext:aws:ecs:clusterName": [clusterName] };
  return [
    {
      Sid: "FargateDataKeysForThisClustersStorage",
      Effect: "Allow",
      Principal: { Service: "fargate.amazonaws.com" },
      Action: "kms:GenerateDataKeyWithoutPlaintext",
      Resource: "*",
      Condition: { StringEquals: ofCluster },
    },
    {
      Sid: "FargateDecryptGrantsForThisClustersStorage",
      Effect: "Allow",
      Principal: { Service: "fargate.amazonaws.com" },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { StringEquals: ofCluster, "ForAllValues:StringEquals": { "kms:GrantOperations": ["Decrypt"] } },
    },
  ];
}

/** The two statements AWS documents for EBS encryption with a CMK in Auto Scaling groups. */
function autoScalingEbsStatements(input: KeyPolicyInput): PolicyStatement[] {
  const serviceLinkedRole = `arn:${input.partition}:iam::${input.accountId}:role/aws-service-role/autoscaling.amazonaws.com/AWSServiceRoleForAutoScaling`;
  return [
    {
      Sid: "AutoScalingUsesKeyForEbs",
      Effect: "Allow",
      Principal: { AWS: serviceLinkedRole },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"],
      Resource: "*",
    },
    {
      Sid: "AutoScalingGrantsForEbsOnly",
      Effect: "Allow",
      Principal: { AWS: serviceLinkedRole },
      Action: "kms:CreateGrant",
      Resource: "*",
      Condition: { Bool: { "kms:GrantIsForAWSResource": "true" } },
    },
  ];
}

export interface ExecCommandPolicyInput {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** The log group ECS Exec sessions are logged to. */
  readonly logGroupName: string;
  /** The key sessions and their logs are encrypted with. */
  readonly kmsKeyArn?: string;
}

/**
 * The task role's share of ECS Exec: the SSM agent in the task opens its channels (actions without resource-level
 * permissions), writes the session log, and decrypts the session key.
 */
export function execCommandPolicy(input: ExecCommandPolicyInput): PolicyDocument {
  const logGroups = `arn:${input.partition}:logs:${input.region}:${input.accountId}:log-group`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "OpenSessionChannels",
        Effect: "Allow",
        Action: ["ssmmessages:CreateControlChannel", "ssmmessages:CreateDataChannel", "ssmmessages:OpenControlChannel", "ssmmessages:OpenDataChannel"],
        Resource: "*",
      },
      // As AWS's ECS Exec guide grants it: the agent lists log groups before it writes the session log.
      { Sid: "FindSessionLogGroup", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      {
        Sid: "WriteSessionLog",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:DescribeLogStreams", "logs:PutLogEvents"],
        Resource: `${logGroups}:${input.logGroupName}:*`,
      },
      ...(input.kmsKeyArn ? [{ Sid: "DecryptSessionKey", Effect: "Allow" as const, Action: "kms:Decrypt", Resource: input.kmsKeyArn }] : []),
    ],
  };
}

/** The alarm topic's policy: CloudWatch may publish to it, for alarms of this account and region only. */
export function alarmTopicPolicy(input: {
  readonly topicArn: string;
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
}): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "CloudWatchAlarmsOfThisAccountPublish",
        Effect: "Allow",
        Principal: { Service: "cloudwatch.amazonaws.com" },
        Action: "sns:Publish",
        Resource: input.topicArn,
        Condition: {
          StringEquals: { "aws:SourceAccount": input.accountId },
          ArnLike: { "aws:SourceArn": `arn:${input.partition}:cloudwatch:${input.region}:${input.accountId}:alarm:*` },
        },
      },
    ],
  };
}

/** `arn:...:secret:name-AbC123:json-key:stage:id` → `arn:...:secret:name-AbC123` (IAM matches the secret itself). */
export function secretArnOf(source: string): string {
  const parts = source.split(":");
  return parts.slice(0, 7).join(":");
}

function isSecretsManagerArn(source: string): boolean {
  return source.split(":")[2] === "secretsmanager";
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/** Trust of the role ECR assumes to apply a repository creation template (KMS encryption, tags), for this account only. */
export function ecrCreationTemplateTrustPolicy(accountId: string): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "EcrOfThisAccountOnly",
        Effect: "Allow",
        Principal: { Service: "ecr.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "aws:SourceAccount": accountId } },
      },
    ],
  };
}

/**
 * What ECR needs to create a cached repository from the template: create and tag the prefix's repositories, and
 * (with a customer-managed key) describe the key and grant ECR's use of it.
 */
export function ecrCreationTemplatePolicy(input: { readonly repositoriesArn: string; readonly kmsKeyArn?: string }): PolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [
      { Sid: "CreateTheCachesRepositories", Effect: "Allow", Action: ["ecr:CreateRepository", "ecr:TagResource"], Resource: input.repositoriesArn },
      ...(input.kmsKeyArn
        ? [
            {
              Sid: "EncryptThemWithTheKey",
              Effect: "Allow" as const,
              Action: ["kms:CreateGrant", "kms:RetireGrant", "kms:DescribeKey"],
              Resource: input.kmsKeyArn,
            },
          ]
        : []),
    ],
  };
}
