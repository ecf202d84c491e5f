import { TerraformOutput, TerraformStack } from "cdktf";
import { applyBackend } from "../backend/apply";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import type { Config } from "../config";
import type { RegistryAuthMode } from "../ec2/registry-auth";
import { EncryptionKey } from "../constructs/encryption-key";
import { RegistryCredentials } from "../constructs/registry-credentials";
import { TaskExecutionRole } from "../constructs/task-execution-role";
import { Network } from "../constructs/network";
import { LoadBalancer } from "../constructs/load-balancer";

/** Terraform ≥ 1.11: ephemeral variables and write-only arguments. */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.11.0";

/** What every stack of a config is built from. */
export interface DeploymentStackProps {
  readonly config: Config;
  /**
   * Local state file (until a remote backend is configured).
   * @default - cdktf's default: `terraform.<stack>.tfstate` in the directory synth ran from
   */
  readonly localStateFile?: string;
}

export interface DeploymentBaseOptions {
  /** Prefix of every resource name in the stack (the stack id): `<config.name>` or `<config.name>-ec2`. */
  readonly name: string;
  /** @default - cdktf's default local state file */
  readonly localStateFile?: string;
  readonly registryAuth: RegistryAuthMode;
  /** `instance` for bridge-mode EC2 tasks. */
  readonly targetType: "ip" | "instance";
  /** A created CMK also encrypts EC2 instance volumes (its policy then admits EC2 Auto Scaling). */
  readonly ebsForAutoScaling: boolean;
}

/** What every stack of a deployment has before its compute: provider, key, logs, secret, roles, network, ALB, cluster. */
export interface DeploymentBase {
  /** The tags of every resource (the provider's default tags; instances and volumes get them explicitly). */
  readonly tags: Readonly<Record<string, string>>;
  readonly accountId: string;
  readonly partition: string;
  /** The CMK (created or existing) for the secret, logs and volumes; undefined for AWS-managed keys. */
  readonly keyArn?: string;
  readonly logGroup: CloudwatchLogGroup;
  readonly credentials: RegistryCredentials;
  readonly executionRole: TaskExecutionRole;
  readonly network: Network;
  readonly loadBalancer: LoadBalancer;
  /** The cluster `<name>`, with Container Insights unless turned off. */
  readonly cluster: EcsCluster;
}

/**
 * Builds the shared part of a stack in `stack` (same construct ids in every stack, so logical IDs stay stable).
 * The execution role reads the registry secret only when tasks pull with `repositoryCredentials`.
 */
export function buildDeploymentBase(stack: TerraformStack, config: Config, options: DeploymentBaseOptions): DeploymentBase {
  const { name } = options;
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  applyBackend(stack, config.backend, name, { defaultRegion: config.region, localStateFile: options.localStateFile });

  const tags = { ...config.tags, "ghcr-ecs:deployment": name, ManagedBy: "ghcr-ecs" };
  new AwsProvider(stack, "aws", { region: config.region, defaultTags: [{ tags }] });
  const accountId = new DataAwsCallerIdentity(stack, "account").accountId;
  const partition = new DataAwsPartition(stack, "partition").partition;
  const logGroupName = `/ecs/${name}`;

  const keyArn =
    config.encryption.mode === "create-cmk"
      ? new EncryptionKey(stack, "encryption", {
          name,
          accountId,
          partition,
          region: config.region,
          logGroupName,
          deletionWindowInDays: config.encryption.deletionWindowInDays,
          ebsForAutoScaling: options.ebsForAutoScaling,
        }).keyArn
      : config.encryption.mode === "existing-key"
        ? config.encryption.keyArn
        : undefined;

  const logGroup = new CloudwatchLogGroup(stack, "logs", { name: logGroupName, retentionInDays: config.logRetentionDays, kmsKeyId: keyArn });

  const credentials = new RegistryCredentials(
    stack,
    "registry-credentials",
    config.credentials.mode === "managed"
      ? {
          mode: "managed",
          name,
          username: config.credentials.username,
          version: config.credentials.version,
          recoveryWindowInDays: config.credentials.recoveryWindowInDays,
          kmsKeyArn: keyArn,
        }
      : { mode: "existing", secretArn: config.credentials.existingSecretArn, kmsKeyArn: config.credentials.kmsKeyArn },
  );

  const tasksReadSecret = options.registryAuth === "task";
  const executionRole = new TaskExecutionRole(stack, "execution-role", {
    name,
    accountId,
    partition,
    region: config.region,
    registrySecretArn: tasksReadSecret ? credentials.secretArn : undefined,
    containerSecretSources: Object.values(config.secrets),
    kmsKeyArns: tasksReadSecret && credentials.kmsKeyArn ? [credentials.kmsKeyArn] : [],
    logGroupArn: logGroup.arn,
  });

  const network = new Network(stack, "network", config.network.mode === "create" ? { ...config.network, name } : config.network);

  const loadBalancer = new LoadBalancer(stack, "load-balancer", {
    name,
    vpcId: network.vpcId,
    subnetIds: network.loadBalancerSubnetIds,
    targetPort: config.containerPort,
    targetType: options.targetType,
    scheme: config.loadBalancer.scheme,
    ingressCidrs: config.loadBalancer.ingressCidrs,
    certificateArn: config.loadBalancer.certificateArn,
    sslPolicy: config.loadBalancer.sslPolicy,
    healthCheck: config.healthCheck,
    deregistrationDelaySeconds: config.deregistrationDelaySeconds,
    idleTimeoutSeconds: config.loadBalancer.idleTimeoutSeconds,
    deletionProtection: config.loadBalancer.deletionProtection,
  });

  const cluster = new EcsCluster(stack, "cluster", {
    name,
    setting: [{ name: "containerInsights", value: config.containerInsights ? "enabled" : "disabled" }],
  });

  return { tags, accountId, partition, keyArn, logGroup, credentials, executionRole, network, loadBalancer, cluster };
}

/** The application's service settings every stack passes the same way. */
export function applicationServiceProps(config: Config, base: DeploymentBase, name: string) {
  return {
    name,
    region: config.region,
    accountId: base.accountId,
    partition: base.partition,
    image: config.image,
    clusterArn: base.cluster.arn,
    executionRoleArn: base.executionRole.roleArn,
    containerPort: config.containerPort,
    cpu: config.cpu,
    memory: config.memory,
    containerMemory: config.containerMemory,
    cpuArchitecture: config.cpuArchitecture,
    desiredCount: config.desiredCount,
    environment: config.environment,
    secrets: config.secrets,
    logGroupName: base.logGroup.name,
    targetGroupArn: base.loadBalancer.targetGroupArn,
    loadBalancerSecurityGroupId: base.loadBalancer.securityGroupId,
    healthCheckGracePeriodSeconds: config.healthCheck.gracePeriodSeconds,
    minimumHealthyPercent: config.deployment.minimumHealthyPercent,
    maximumPercent: config.deployment.maximumPercent,
    waitForSteadyState: config.deployment.waitForSteadyState,
    readOnlyRootFilesystem: config.readOnlyRootFilesystem,
  };
}

/**
 * The outputs every stack has, under the same names (the operations CLI reads them), plus `extra`. Logical ids are the
 * output names, so `terraform output <name>` works.
 */
export function addStackOutputs(
  stack: TerraformStack,
  config: Config,
  base: DeploymentBase,
  service: { serviceName: string; registryAuth: RegistryAuthMode },
  extra: Record<string, string> = {},
): void {
  const outputs: Record<string, string> = {
    service_url: base.loadBalancer.url,
    credentials_secret_arn: base.credentials.secretArn,
    cluster_name: base.cluster.name,
    service_name: service.serviceName,
    log_group_name: base.logGroup.name,
    execution_role_arn: base.executionRole.roleArn,
    image: config.image,
    region: config.region,
    registry_auth_mode: service.registryAuth,
    ...extra,
  };
  if (config.credentials.mode === "managed") outputs.registry_username = config.credentials.username;
  for (const [name, value] of Object.entries(outputs)) new TerraformOutput(stack, name, { value }).overrideLogicalId(name);
}
