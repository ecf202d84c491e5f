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
  /** Registry credentials secret ARN: the exact ARN, never a wildcard. */
  readonly registrySecretArn: string;
  /** Container `secrets` sources (Secrets Manager ARNs, possibly with `:json-key:stage:id`, or SSM parameter ARNs). */
  readonly containerSecretSources: readonly string[];
  /** Customer-managed keys that encrypt any of those secrets. */
  readonly kmsKeyArns: readonly string[];
  /** The service's log group ARN (as `aws_cloudwatch_log_group.arn`, without `:*`). */
  readonly logGroupArn: string;
  readonly region: string;
}

/**
 * The task execution role's only permissions: read the listed secrets, decrypt through Secrets Manager, write to
 * its own log group. No ECR statements: the image does not come from ECR.
 */
export function executionRolePolicy(input: ExecutionRolePolicyInput): PolicyDocument {
  const secretArns = unique([input.registrySecretArn, ...input.containerSecretSources.filter(isSecretsManagerArn).map(secretArnOf)]);
  const parameterArns = unique(input.containerSecretSources.filter((source) => !isSecretsManagerArn(source)));
  const statements: PolicyStatement[] = [
    { Sid: "ReadRegistryAndContainerSecrets", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: secretArns },
  ];
  if (parameterArns.length > 0) {
    statements.push({ Sid: "ReadContainerParameters", Effect: "Allow", Action: "ssm:GetParameters", Resource: parameterArns });
  }
  if (input.kmsKeyArns.length > 0) {
    statements.push({
      Sid: "DecryptSecretsThroughSecretsManagerOnly",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: unique(input.kmsKeyArns),
      Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${input.region}.amazonaws.com` } },
    });
  }
  statements.push({
    Sid: "WriteOwnLogGroup",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${input.logGroupArn}:log-stream:*`,
  });
  return { Version: "2012-10-17", Statement: statements };
}

export interface KeyPolicyInput {
  readonly accountId: string;
  readonly partition: string;
  readonly region: string;
  /** Log group ARN pattern allowed to use the key (`arn:...:log-group:NAME`). */
  readonly logGroupArn: string;
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
