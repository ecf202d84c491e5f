import { Construct } from "constructs";
import { LocalBackend, TerraformOutput, TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import type { Config } from "../config/schema";
import { EncryptionKey } from "../constructs/encryption-key";
import { RegistryCredentials } from "../constructs/registry-credentials";
import { TaskExecutionRole } from "../constructs/task-execution-role";
import { Network } from "../constructs/network";
import { LoadBalancer } from "../constructs/load-balancer";
import { FargateService } from "../constructs/fargate-service";

/** Terraform ≥ 1.11: ephemeral variables and write-only arguments. */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.11.0";

export interface FargateStackProps {
  readonly config: Config;
  /**
   * Local state file (until a remote backend is configured).
   * @default - cdktf's default: `terraform.<stack>.tfstate` in the directory synth ran from
   */
  readonly localStateFile?: string;
}

/** The whole deployment of one config on Fargate: secret, roles, network, ALB, cluster and service. */
export class FargateStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: FargateStackProps) {
    super(scope, id);
    const { config } = props;
    this.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
    if (props.localStateFile) new LocalBackend(this, { path: props.localStateFile });

    new AwsProvider(this, "aws", {
      region: config.region,
      defaultTags: [{ tags: { ...config.tags, "ghcr-ecs:deployment": config.name, ManagedBy: "ghcr-ecs" } }],
    });
    const accountId = new DataAwsCallerIdentity(this, "account").accountId;
    const partition = new DataAwsPartition(this, "partition").partition;
    const logGroupName = `/ecs/${config.name}`;

    const key =
      config.encryption.mode === "create-cmk"
        ? new EncryptionKey(this, "encryption", {
            name: config.name,
            accountId,
            partition,
            region: config.region,
            logGroupName,
            deletionWindowInDays: config.encryption.deletionWindowInDays,
          }).keyArn
        : config.encryption.mode === "existing-key"
          ? config.encryption.keyArn
          : undefined;

    const logGroup = new CloudwatchLogGroup(this, "logs", {
      name: logGroupName,
      retentionInDays: config.logRetentionDays,
      kmsKeyId: key,
    });

    const credentials = new RegistryCredentials(
      this,
      "registry-credentials",
      config.credentials.mode === "managed"
        ? {
            mode: "managed",
            name: config.name,
            username: config.credentials.username,
            version: config.credentials.version,
            recoveryWindowInDays: config.credentials.recoveryWindowInDays,
            kmsKeyArn: key,
          }
        : { mode: "existing", secretArn: config.credentials.existingSecretArn, kmsKeyArn: config.credentials.kmsKeyArn },
    );

    const executionRole = new TaskExecutionRole(this, "execution-role", {
      name: config.name,
      accountId,
      partition,
      region: config.region,
      registrySecretArn: credentials.secretArn,
      containerSecretSources: Object.values(config.secrets),
      kmsKeyArns: credentials.kmsKeyArn ? [credentials.kmsKeyArn] : [],
      logGroupArn: logGroup.arn,
    });

    const network = new Network(this, "network", config.network.mode === "create" ? { ...config.network, name: config.name } : config.network);

    const loadBalancer = new LoadBalancer(this, "load-balancer", {
      name: config.name,
      vpcId: network.vpcId,
      subnetIds: network.loadBalancerSubnetIds,
      targetPort: config.containerPort,
      scheme: config.loadBalancer.scheme,
      ingressCidrs: config.loadBalancer.ingressCidrs,
      certificateArn: config.loadBalancer.certificateArn,
      sslPolicy: config.loadBalancer.sslPolicy,
      healthCheck: config.healthCheck,
      deregistrationDelaySeconds: config.deregistrationDelaySeconds,
      idleTimeoutSeconds: config.loadBalancer.idleTimeoutSeconds,
      deletionProtection: config.loadBalancer.deletionProtection,
    });

    const service = new FargateService(this, "service", {
      name: config.name,
      region: config.region,
      accountId,
      partition,
      image: config.image,
      registrySecretArn: credentials.secretArn,
      executionRoleArn: executionRole.roleArn,
      containerPort: config.containerPort,
      cpu: config.cpu,
      memory: config.memory,
      containerMemory: config.containerMemory,
      cpuArchitecture: config.cpuArchitecture,
      desiredCount: config.desiredCount,
      environment: config.environment,
      secrets: config.secrets,
      logGroupName: logGroup.name,
      vpcId: network.vpcId,
      subnetIds: network.serviceSubnetIds,
      assignPublicIp: network.assignPublicIp,
      targetGroupArn: loadBalancer.targetGroupArn,
      loadBalancerSecurityGroupId: loadBalancer.securityGroupId,
      healthCheckGracePeriodSeconds: config.healthCheck.gracePeriodSeconds,
      minimumHealthyPercent: config.deployment.minimumHealthyPercent,
      maximumPercent: config.deployment.maximumPercent,
      waitForSteadyState: config.deployment.waitForSteadyState,
      containerInsights: config.containerInsights,
      dependsOn: [executionRole.policy, loadBalancer.forwardingListener, ...(credentials.secretVersion ? [credentials.secretVersion] : [])],
    });

    const outputs: Record<string, string> = {
      service_url: loadBalancer.url,
      credentials_secret_arn: credentials.secretArn,
      cluster_name: service.clusterName,
      service_name: service.serviceName,
      log_group_name: logGroup.name,
      execution_role_arn: executionRole.roleArn,
      image: config.image,
      region: config.region,
    };
    if (config.credentials.mode === "managed") outputs.registry_username = config.credentials.username;
    for (const [name, value] of Object.entries(outputs)) new TerraformOutput(this, name, { value }).overrideLogicalId(name);
  }
}
