/**
 * What an environment's services share, built once per stack: provider, key, network, load balancer, cluster, the
 * registry credentials (one secret per distinct credential) and, when a service runs on EC2, the container
 * instances. Construct ids are those of ghcr-ecs 0.1, so the single-service layout keeps its addresses.
 */
import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { DataAwsCallerIdentity } from "@cdktf/provider-aws/lib/data-aws-caller-identity";
import { DataAwsPartition } from "@cdktf/provider-aws/lib/data-aws-partition";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { ServiceDiscoveryHttpNamespace } from "@cdktf/provider-aws/lib/service-discovery-http-namespace";
import { applyBackend } from "../backend/apply";
import { credentialName, secretReaderOf, type CredentialModel, type EnvironmentModel, type ServiceModel } from "../config/model";
import { AlarmTopic } from "../constructs/alarm-topic";
import { Ec2Capacity } from "../constructs/ec2-capacity";
import { EncryptionKey } from "../constructs/encryption-key";
import { LoadBalancer } from "../constructs/load-balancer";
import { MetricAlarms } from "../constructs/metric-alarms";
import { Network } from "../constructs/network";
import { RegistryCredentials } from "../constructs/registry-credentials";
import { createTargetGroup } from "../constructs/target-group";
import { DEFAULTS } from "../config/defaults";
import { loadBalancerAlarm } from "../ecs/alarms";
import { parseImageReference } from "../registry/image-reference";
import { cachePrefixFor, upstreamFor } from "../registry/ecr-mirror";
import { RegistryMirror } from "../constructs/registry-mirror";
import { VpcEndpoints } from "../constructs/vpc-endpoints";
import { interfaceEndpoints } from "../aws/vpc-endpoints";

/** Terraform ≥ 1.11: ephemeral variables and write-only arguments. */
export const REQUIRED_TERRAFORM_VERSION = ">= 1.11.0";

export interface EnvironmentBase {
  /** The tags of every resource (the provider's default tags; instances and volumes get them explicitly). */
  readonly tags: Readonly<Record<string, string>>;
  readonly accountId: string;
  readonly partition: string;
  /** The CMK (created or existing) for the secrets, logs and volumes; undefined for AWS-managed keys. */
  readonly keyArn?: string;
  readonly network: Network;
  readonly loadBalancer: LoadBalancer;
  readonly cluster: EcsCluster;
  /** By `CredentialModel.key`. */
  readonly credentials: ReadonlyMap<string, RegistryCredentials>;
  /** Target groups of an app's load-balanced services, by service name (the single-service layout's is the load balancer's). */
  readonly targetGroups: ReadonlyMap<string, { readonly arn: string; readonly arnSuffix: string }>;
  /** The container instances, when a service runs on EC2. */
  readonly capacity?: Ec2Capacity;
  /** The Service Connect namespace, when a service uses it. */
  readonly namespaceArn?: string;
  /** Where the cluster logs ECS Exec sessions, and their key, when a service has `exec`. */
  readonly exec?: { readonly logGroupName: string; readonly kmsKeyArn?: string };
  /** The SNS topic the alarms notify (the environment's own or `alarms.notify.snsTopicArn`), when a service has alarms. */
  readonly alarmTopicArn?: string;
  /** The ECR pull-through cache the services pull through, with `registry.mode: "ecr-pull-through-cache"`. */
  readonly mirror?: { readonly prefix: string; readonly construct: RegistryMirror };
  /** The VPC endpoints, with `network.egress: "vpc-endpoints"`. */
  readonly endpoints?: VpcEndpoints;
}

/** Where each service's resources go: the stack itself in the single-service layout, `services/<name>` in an app. */
export function serviceScope(stack: TerraformStack, environment: EnvironmentModel, service: ServiceModel): Construct {
  if (environment.layout === "single-service") return stack;
  const services = stack.node.tryFindChild("services") ?? new Construct(stack, "services");
  return services.node.tryFindChild(service.name) ?? new Construct(services, service.name);
}

/** The log group name of a service: `/ecs/<stack>` (single-service) or `/ecs/<stack>/<service>`. */
export function logGroupNameOf(environment: EnvironmentModel, service: ServiceModel): string {
  return environment.layout === "single-service" ? `/ecs/${environment.stackName}` : `/ecs/${environment.stackName}/${service.name}`;
}

export function buildEnvironmentBase(
  stack: TerraformStack,
  environment: EnvironmentModel,
  options: { readonly localStateFile?: string } = {},
): EnvironmentBase {
  const name = environment.stackName;
  const alarmed = environment.services.some((s) => s.settings.alarms.enabled);
  const ownAlarmTopic = alarmed && environment.alarms.notify.snsTopicArn === undefined;
  stack.addOverride("terraform.required_version", REQUIRED_TERRAFORM_VERSION);
  applyBackend(stack, environment.backend, name, { defaultRegion: environment.region, localStateFile: options.localStateFile });

  const tags = { ...environment.tags, "ghcr-ecs:deployment": name, ManagedBy: "ghcr-ecs" };
  new AwsProvider(stack, "aws", { region: environment.region, defaultTags: [{ tags }] });
  const accountId = new DataAwsCallerIdentity(stack, "account").accountId;
  const partition = new DataAwsPartition(stack, "partition").partition;

  const keyArn =
    environment.encryption.mode === "create-cmk"
      ? new EncryptionKey(stack, "encryption", {
          name,
          accountId,
          partition,
          region: environment.region,
          logGroupName: environment.layout === "single-service" ? `/ecs/${name}` : `/ecs/${name}/*`,
          deletionWindowInDays: environment.encryption.deletionWindowInDays,
          ebsForAutoScaling: environment.ec2 !== undefined,
          cloudWatchAlarms: ownAlarmTopic,
          fargateEphemeralStorageOfCluster: environment.services.some((s) => s.launchType === "fargate") ? name : undefined,
        }).keyArn
      : environment.encryption.mode === "existing-key"
        ? environment.encryption.keyArn
        : undefined;

  const mirrored = environment.registry.mode === "ecr-pull-through-cache";
  // ECR reads the cache's credential through its service-linked role, which a key policy cannot name before the
  // first rule creates it: that secret keeps the AWS-managed key (the config's policy waiver says so).
  const credentials = new Map(
    environment.credentials.map((credential) => [credential.key, registryCredentials(stack, environment, credential, mirrored ? undefined : keyArn)]),
  );
  const network = new Network(stack, "network", environment.network.mode === "create" ? { ...environment.network, name } : environment.network);
  const mirror = mirrored ? registryMirror(stack, environment, { accountId, partition, keyArn, tags, credentials }) : undefined;
  const endpoints =
    environment.network.mode === "create" && environment.network.egress === "vpc-endpoints"
      ? new VpcEndpoints(stack, "endpoints", {
          name,
          accountId,
          partition,
          region: environment.region,
          vpcId: network.vpcId,
          subnetIds: network.serviceSubnetIds,
          routeTableIds: network.privateRouteTableIds,
          services: interfaceEndpoints({
            containerParameters: environment.services.some((s) => Object.values(s.settings.secrets).some((source) => source.includes(":ssm:"))),
            exec: environment.services.some((s) => s.settings.exec),
          }),
        })
      : undefined;

  const targetGroups = new Map<string, { arn: string; arnSuffix: string }>();
  const single = environment.layout === "single-service" ? environment.services[0] : undefined;
  const targetType = environment.ec2?.networkMode === "bridge" ? "instance" : "ip";
  if (!single) {
    for (const service of environment.services.filter((s) => s.loadBalanced)) {
      const group = createTargetGroup(serviceScope(stack, environment, service), "targets", {
        namePrefix: service.resourceName,
        vpcId: network.vpcId,
        port: service.settings.containerPort,
        targetType: service.launchType === "ec2" ? targetType : "ip",
        healthCheck: service.settings.healthCheck,
        deregistrationDelaySeconds: service.settings.deregistrationDelaySeconds,
      });
      targetGroups.set(service.name, { arn: group.arn, arnSuffix: group.arnSuffix });
    }
  }
  const defaultService = environment.services.find((s) => s.loadBalanced && !s.route);
  const loadBalancer = new LoadBalancer(stack, "load-balancer", {
    name,
    vpcId: network.vpcId,
    subnetIds: network.loadBalancerSubnetIds,
    ...(single
      ? {
          targetPort: single.settings.containerPort,
          targetType: single.launchType === "ec2" ? targetType : "ip",
          healthCheck: single.settings.healthCheck,
          deregistrationDelaySeconds: single.settings.deregistrationDelaySeconds,
        }
      : { defaultTargetGroupArn: defaultService && targetGroups.get(defaultService.name)?.arn }),
    scheme: environment.loadBalancer.scheme,
    ingressCidrs: environment.loadBalancer.ingressCidrs,
    certificateArn: environment.loadBalancer.certificateArn,
    sslPolicy: environment.loadBalancer.sslPolicy,
    idleTimeoutSeconds: environment.loadBalancer.idleTimeoutSeconds,
    deletionProtection: environment.loadBalancer.deletionProtection,
  });
  if (single && loadBalancer.targetGroupArn && loadBalancer.targetGroupArnSuffix) {
    targetGroups.set(single.name, { arn: loadBalancer.targetGroupArn, arnSuffix: loadBalancer.targetGroupArnSuffix });
  }

  const exec = execSessionLogs(stack, environment, keyArn);
  // Fargate tasks' ephemeral storage with the created key, whose policy admits Fargate for this cluster; an existing
  // key's policy is the user's, and a task whose storage key Fargate may not use does not start.
  const fargateStorageKey = environment.encryption.mode === "create-cmk" && environment.services.some((s) => s.launchType === "fargate") ? keyArn : undefined;
  const cluster = new EcsCluster(stack, "cluster", {
    name,
    setting: [{ name: "containerInsights", value: environment.containerInsights ? "enabled" : "disabled" }],
    configuration:
      exec || fargateStorageKey
        ? {
            executeCommandConfiguration: exec && {
              kmsKeyId: exec.kmsKeyArn,
              logging: "OVERRIDE",
              logConfiguration: { cloudWatchLogGroupName: exec.logGroupName, cloudWatchEncryptionEnabled: exec.kmsKeyArn !== undefined },
            },
            managedStorageConfiguration: fargateStorageKey ? { fargateEphemeralStorageKmsKeyId: fargateStorageKey } : undefined,
          }
        : undefined,
  });
  const namespaceArn = environment.services.some((s) => s.serviceConnect)
    ? new ServiceDiscoveryHttpNamespace(stack, "namespace", { name, description: `Service Connect names of ${name}'s services` }).arn
    : undefined;

  const alarmTopicArn = ownAlarmTopic
    ? new AlarmTopic(stack, "alarm-topic", {
        name,
        accountId,
        partition,
        region: environment.region,
        kmsKeyArn: keyArn,
        emails: environment.alarms.notify.emails,
      }).topicArn
    : alarmed
      ? environment.alarms.notify.snsTopicArn
      : undefined;
  if (alarmTopicArn) {
    new MetricAlarms(stack, "load-balancer-alarms", {
      topicArn: alarmTopicArn,
      alarms: [
        loadBalancerAlarm({
          stackName: name,
          loadBalancer: loadBalancer.arnSuffix,
          errorsPerMinute: environment.alarms.loadBalancerErrorsPerMinute,
          evaluationMinutes: DEFAULTS.alarms.evaluationMinutes,
        }),
      ],
    });
  }

  const base = {
    tags,
    accountId,
    partition,
    keyArn,
    network,
    loadBalancer,
    cluster,
    credentials,
    targetGroups,
    namespaceArn,
    alarmTopicArn,
    exec,
    mirror,
    endpoints,
  };
  return environment.ec2 ? { ...base, capacity: containerInstances(stack, environment, base) } : base;
}

/**
 * ECS Exec sessions are logged per cluster: to the service's own log group in the single-service layout, to
 * `/ecs/<stack>/_exec` (kept as long as the longest-kept exec service's logs) in an app — a service's name cannot
 * hold `_`, so it never is a service's own log group.
 */
function execSessionLogs(stack: TerraformStack, environment: EnvironmentModel, keyArn: string | undefined): EnvironmentBase["exec"] {
  const execServices = environment.services.filter((s) => s.settings.exec);
  if (execServices.length === 0) return undefined;
  if (environment.layout === "single-service") return { logGroupName: logGroupNameOf(environment, execServices[0]), kmsKeyArn: keyArn };
  const logs = new CloudwatchLogGroup(stack, "exec-logs", {
    name: `/ecs/${environment.stackName}/_exec`,
    retentionInDays: Math.max(...execServices.map((s) => s.settings.logRetentionDays)),
    kmsKeyId: keyArn,
  });
  return { logGroupName: logs.name, kmsKeyArn: keyArn };
}

/** The pull-through cache of the environment's upstream registry (validated: one upstream, one credential). */
function registryMirror(
  stack: TerraformStack,
  environment: EnvironmentModel,
  context: {
    readonly accountId: string;
    readonly partition: string;
    readonly keyArn?: string;
    readonly tags: Readonly<Record<string, string>>;
    readonly credentials: ReadonlyMap<string, RegistryCredentials>;
  },
): EnvironmentBase["mirror"] {
  const image = environment.services[0].settings.image;
  const upstream = upstreamFor(parseImageReference(image).registry)!;
  const prefix = cachePrefixFor(environment.registry.ecrRepositoryPrefix, image);
  const construct = new RegistryMirror(stack, "registry-mirror", {
    name: environment.stackName,
    accountId: context.accountId,
    partition: context.partition,
    region: environment.region,
    ecrRepositoryPrefix: prefix,
    upstreamRegistryUrl: upstream.url,
    ...(upstream.needsCredential ? { credentialArn: context.credentials.get(environment.credentials[0].key)!.secretArn } : {}),
    kmsKeyArn: context.keyArn,
    keepImages: environment.registry.keepImages,
    tags: context.tags,
  });
  return { prefix, construct };
}

function registryCredentials(
  stack: TerraformStack,
  environment: EnvironmentModel,
  credential: CredentialModel,
  keyArn: string | undefined,
): RegistryCredentials {
  const isDefault = credential.key === "default";
  const id = isDefault ? "registry-credentials" : `registry-credentials-${credential.key}`;
  const settings = credential.settings;
  return new RegistryCredentials(
    stack,
    id,
    settings.mode === "managed"
      ? {
          mode: "managed",
          name: credentialName(environment, credential),
          ...(isDefault ? {} : { variableSuffix: credential.key.replace(/-/g, "_") }),
          username: settings.username,
          version: settings.version,
          recoveryWindowInDays: settings.recoveryWindowInDays,
          kmsKeyArn: keyArn,
          reader: secretReaderOf(environment),
        }
      : { mode: "existing", secretArn: settings.existingSecretArn, kmsKeyArn: settings.kmsKeyArn },
  );
}

/** The Auto Scaling group, launch template and capacity provider the environment's EC2 services run on. */
function containerInstances(stack: TerraformStack, environment: EnvironmentModel, base: Omit<EnvironmentBase, "capacity">): Ec2Capacity {
  const ec2 = environment.ec2!;
  const ec2Services = environment.services.filter((s) => s.launchType === "ec2");
  const name = environment.layout === "single-service" ? environment.stackName : `${environment.stackName}-ec2`;
  // agent-dockercfg: the EC2 services share one credential (validated), which the instances read at boot.
  const credential = base.credentials.get(ec2Services[0].credential)!;
  const agentAuth = ec2.registryAuth === "agent-dockercfg";
  return new Ec2Capacity(stack, "capacity", {
    name,
    region: environment.region,
    accountId: base.accountId,
    partition: base.partition,
    clusterName: environment.stackName,
    clusterArn: base.cluster.arn,
    vpcId: base.network.vpcId,
    subnetIds: base.network.serviceSubnetIds,
    assignPublicIp: base.network.assignPublicIp,
    instanceType: ec2.instanceType,
    cpuArchitecture: ec2Services[0].settings.cpuArchitecture,
    amiId: ec2.amiId,
    minSize: ec2.minSize,
    maxSize: ec2.maxSize,
    desiredCapacity: ec2.desiredCapacity,
    rootVolumeGiB: ec2.rootVolumeGiB,
    volumeKmsKeyArn: base.keyArn,
    targetCapacityPercent: ec2.targetCapacityPercent,
    minHealthyPercentage: ec2.minHealthyPercentage,
    spot: ec2.spot,
    containerStopTimeoutSeconds: ec2.containerStopTimeoutSeconds,
    imagePullBehavior: ec2.imagePullBehavior,
    ecsConfig: ec2.ecsConfig,
    registryAuth: agentAuth
      ? {
          mode: "agent-dockercfg",
          secretArn: credential.secretArn,
          secretKmsKeyArn: credential.kmsKeyArn,
          registryHost: parseImageReference(ec2Services[0].settings.image).registry,
        }
      : { mode: "task" },
    tags: base.tags,
    // Agent auth reads the secret at boot: its value must be written before the first instance starts.
    dependsOn: [base.cluster, ...(agentAuth && credential.secretVersion ? [credential.secretVersion] : [])],
  });
}
