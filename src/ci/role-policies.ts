/**
 * What each CI role may do besides its managed policies, as plain IAM documents: read or write the stacks' state,
 * read the registry credential secrets, describe the services, and (deploy) manage the IAM roles the stacks name —
 * never the CI roles themselves or the OIDC provider.
 */
import type { PolicyDocument, PolicyStatement } from "../aws/iam-policies";
import { backendBlock, type S3BackendBlock } from "../backend/apply";
import { credentialName, secretReaderOf, type EnvironmentModel } from "../config/model";
import { cacheRepositoriesArn, cachePrefixFor, registrySecretName } from "../registry/ecr-mirror";

/** Account and partition of the stack (Terraform references at synth). */
export interface AccountContext {
  readonly accountId: string;
  readonly partition: string;
}

/** The ARN pattern of each registry credential secret an environment's services read (AWS appends `-` + 6 characters). */
export function credentialSecretArns(environment: EnvironmentModel, account: AccountContext): string[] {
  return environment.credentials.map((credential) => {
    if (credential.settings.mode === "existing") return credential.settings.existingSecretArn;
    const name = registrySecretName(credentialName(environment, credential), secretReaderOf(environment));
    return `arn:${account.partition}:secretsmanager:${environment.region}:${account.accountId}:secret:${name}-??????`;
  });
}

/** Whether any of the environment's credential secrets is encrypted with a customer-managed key. */
function secretsUseCustomerKey(environment: EnvironmentModel): boolean {
  // The cache's secret keeps the AWS-managed key (see environment-base).
  const managedUseKey = environment.encryption.mode !== "aws-managed" && secretReaderOf(environment) === "repository-credentials";
  return environment.credentials.some((credential) => (credential.settings.mode === "existing" ? credential.settings.kmsKeyArn !== undefined : managedUseKey));
}

/** The ECS services of an environment (the cluster is named after the stack). */
export function serviceArns(environment: EnvironmentModel, account: AccountContext): string[] {
  return environment.services.map(
    (service) => `arn:${account.partition}:ecs:${environment.region}:${account.accountId}:service/${environment.stackName}/${service.ecsName}`,
  );
}

/** The role and instance-profile name prefix of an environment's resources. */
const iamNamePrefix = (environment: EnvironmentModel) => `${environment.stackName}-`;

/** GetSecretValue on the credential secrets, and kms:Decrypt only through Secrets Manager for those secrets. */
export function credentialSecretReadStatements(environments: readonly EnvironmentModel[], account: AccountContext): PolicyStatement[] {
  const statements: PolicyStatement[] = [
    {
      Sid: "ReadRegistryCredentialSecrets",
      Effect: "Allow",
      Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"],
      Resource: environments.flatMap((environment) => credentialSecretArns(environment, account)),
    },
  ];
  for (const environment of environments.filter(secretsUseCustomerKey)) {
    statements.push({
      Sid: `DecryptCredentialSecretsIn${pascal(environment.stackName)}`,
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: `arn:${account.partition}:kms:${environment.region}:${account.accountId}:key/*`,
      Condition: {
        StringEquals: { "kms:ViaService": `secretsmanager.${environment.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:SecretARN": credentialSecretArns(environment, account) },
      },
    });
  }
  return statements;
}

/** The S3 state of each environment with an `s3` backend (local and cloud state need no AWS permission). */
function s3States(environments: readonly EnvironmentModel[]): S3BackendBlock[] {
  return environments.flatMap((environment) => {
    const block = backendBlock(environment.backend, environment.stackName, { defaultRegion: environment.region });
    return "backend" in block && "s3" in block.backend ? [block.backend.s3] : [];
  });
}

function stateKeyStatements(states: S3BackendBlock[], account: AccountContext, access: "read" | "write"): PolicyStatement[] {
  if (states.length === 0) return [];
  const objectArn = (state: S3BackendBlock, suffix = "") => `arn:${account.partition}:s3:::${state.bucket}/${state.key}${suffix}`;
  const statements: PolicyStatement[] = [
    { Sid: "ListStateBuckets", Effect: "Allow", Action: "s3:ListBucket", Resource: unique(states.map((s) => `arn:${account.partition}:s3:::${s.bucket}`)) },
    {
      Sid: access === "read" ? "ReadState" : "ReadWriteState",
      Effect: "Allow",
      Action: access === "read" ? "s3:GetObject" : ["s3:GetObject", "s3:PutObject"],
      Resource: states.map((state) => objectArn(state)),
    },
  ];
  const lockFiles = states.filter((state) => state.use_lockfile);
  if (access === "write" && lockFiles.length > 0) {
    statements.push({
      Sid: "TakeStateLocks",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
      Resource: lockFiles.map((state) => objectArn(state, ".tflock")),
    });
  }
  const tables = unique(
    states.flatMap((state) =>
      state.dynamodb_table ? [`arn:${account.partition}:dynamodb:${state.region}:${account.accountId}:table/${state.dynamodb_table}`] : [],
    ),
  );
  if (access === "write" && tables.length > 0) {
    statements.push({
      Sid: "TakeDynamoDbStateLocks",
      Effect: "Allow",
      Action: ["dynamodb:DescribeTable", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:DeleteItem"],
      Resource: tables,
    });
  }
  for (const [index, key] of unique(states.flatMap((state) => (state.kms_key_id ? [`${state.region} ${state.kms_key_id}`] : []))).entries()) {
    const [region, id] = key.split(" ");
    statements.push({
      Sid: `StateKey${index}`,
      Effect: "Allow",
      Action: access === "read" ? "kms:Decrypt" : ["kms:Decrypt", "kms:GenerateDataKey"],
      ...kmsKeyResource(id, region, account),
    });
  }
  return statements;
}

/** A key given as ARN or ID is named; an alias (`alias/NAME` or its ARN) matches the key it points at. */
function kmsKeyResource(id: string, region: string, account: AccountContext): Pick<PolicyStatement, "Resource" | "Condition"> {
  const alias = /(?:^|:)(alias\/.+)$/.exec(id);
  if (alias) {
    const keyRegion = id.startsWith("arn:") ? id.split(":")[3] : region;
    return {
      Resource: `arn:${account.partition}:kms:${keyRegion}:${account.accountId}:key/*`,
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": alias[1] } },
    };
  }
  return { Resource: id.startsWith("arn:") ? id : `arn:${account.partition}:kms:${region}:${account.accountId}:key/${id}` };
}

const document = (statements: PolicyStatement[]): PolicyDocument => ({ Version: "2012-10-17", Statement: statements });

/**
 * The plan role's own policy (beside AWS's ReadOnlyAccess): read the state, and the credential secrets — a refresh of
 * `aws_secretsmanager_secret_version` calls GetSecretValue, which ReadOnlyAccess does not grant.
 */
export function planRolePolicy(environments: readonly EnvironmentModel[], account: AccountContext): PolicyDocument {
  return document([...stateKeyStatements(s3States(environments), account, "read"), ...credentialSecretReadStatements(environments, account)]);
}

/**
 * The watch role's whole policy: `credentials check` reads the outputs from the state, then the secrets (and, with
 * the pull-through cache, what ECR holds); the services may be described.
 */
export function watchRolePolicy(environments: readonly EnvironmentModel[], account: AccountContext): PolicyDocument {
  const cached = environments.filter((environment) => environment.registry.mode === "ecr-pull-through-cache");
  return document([
    ...stateKeyStatements(s3States(environments), account, "read"),
    ...credentialSecretReadStatements(environments, account),
    {
      Sid: "DescribeServices",
      Effect: "Allow",
      Action: "ecs:DescribeServices",
      Resource: environments.flatMap((environment) => serviceArns(environment, account)),
    },
    ...(cached.length > 0
      ? [
          {
            Sid: "DescribeCachedImages",
            Effect: "Allow" as const,
            Action: "ecr:DescribeImages",
            Resource: unique(
              cached.map((environment) =>
                cacheRepositoriesArn({
                  ...account,
                  region: environment.region,
                  prefix: cachePrefixFor(environment.registry.ecrRepositoryPrefix, environment.services[0].settings.image),
                }),
              ),
            ),
          },
        ]
      : []),
  ]);
}

/** Services that create their service-linked role on first use in an account. */
export const SERVICE_LINKED_ROLE_SERVICES = [
  "ecs.amazonaws.com",
  "elasticloadbalancing.amazonaws.com",
  "autoscaling.amazonaws.com",
  "ecs.application-autoscaling.amazonaws.com",
  // The pull-through cache reads its credential through this one (registry.mode "ecr-pull-through-cache").
  "pullthroughcache.ecr.amazonaws.com",
];

/** Who the stacks' roles are passed to: task and execution roles, instance profiles, the cache's template role. */
const PASSED_TO = ["ecs-tasks.amazonaws.com", "ec2.amazonaws.com", "ecr.amazonaws.com"];

export interface DeployRolePolicyInput {
  /** The CI stack's own roles and OIDC provider: the deploy role may never change who can assume what. */
  readonly protectedArns: readonly string[];
}

/**
 * The deploy role's IAM half (its managed policies hold the rest): the roles and instance profiles named for the
 * stacks, passed only to ECS tasks and EC2; the service-linked roles; the state with its locks.
 */
export function deployRolePolicy(environments: readonly EnvironmentModel[], account: AccountContext, input: DeployRolePolicyInput): PolicyDocument {
  const iam = (kind: string) => environments.map((environment) => `arn:${account.partition}:iam::${account.accountId}:${kind}/${iamNamePrefix(environment)}*`);
  return document([
    ...stateKeyStatements(s3States(environments), account, "write"),
    {
      Sid: "ManageTheStacksRoles",
      Effect: "Allow",
      Action: [
        "iam:AttachRolePolicy",
        "iam:CreateRole",
        "iam:DeleteRole",
        "iam:DeleteRolePolicy",
        "iam:DetachRolePolicy",
        "iam:GetRole",
        "iam:GetRolePolicy",
        "iam:ListAttachedRolePolicies",
        "iam:ListInstanceProfilesForRole",
        "iam:ListRolePolicies",
        "iam:ListRoleTags",
        "iam:PutRolePolicy",
        "iam:TagRole",
        "iam:UntagRole",
        "iam:UpdateAssumeRolePolicy",
        "iam:UpdateRole",
        "iam:UpdateRoleDescription",
      ],
      Resource: iam("role"),
    },
    {
      Sid: "ManageTheStacksInstanceProfiles",
      Effect: "Allow",
      Action: [
        "iam:AddRoleToInstanceProfile",
        "iam:CreateInstanceProfile",
        "iam:DeleteInstanceProfile",
        "iam:GetInstanceProfile",
        "iam:ListInstanceProfileTags",
        "iam:RemoveRoleFromInstanceProfile",
        "iam:TagInstanceProfile",
        "iam:UntagInstanceProfile",
      ],
      Resource: iam("instance-profile"),
    },
    {
      Sid: "PassTheStacksRolesToTasksInstancesAndEcr",
      Effect: "Allow",
      Action: "iam:PassRole",
      Resource: iam("role"),
      Condition: { StringEquals: { "iam:PassedToService": PASSED_TO } },
    },
    {
      Sid: "CreateServiceLinkedRoles",
      Effect: "Allow",
      Action: "iam:CreateServiceLinkedRole",
      Resource: `arn:${account.partition}:iam::${account.accountId}:role/aws-service-role/*`,
      Condition: { StringEquals: { "iam:AWSServiceName": SERVICE_LINKED_ROLE_SERVICES } },
    },
    { Sid: "NeverChangeTheCiIdentities", Effect: "Deny", Action: "iam:*", Resource: [...input.protectedArns] },
  ]);
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function pascal(name: string): string {
  return name
    .split(/[^A-Za-z0-9]+/)
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join("");
}
