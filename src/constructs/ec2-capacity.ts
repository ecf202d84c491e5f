import { Construct } from "constructs";
import { Fn, ITerraformDependable, Token } from "cdktf";
import { DataAwsSsmParameter } from "@cdktf/provider-aws/lib/data-aws-ssm-parameter";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { IamInstanceProfile } from "@cdktf/provider-aws/lib/iam-instance-profile";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { LaunchTemplate } from "@cdktf/provider-aws/lib/launch-template";
import { AutoscalingGroup, type AutoscalingGroupConfig } from "@cdktf/provider-aws/lib/autoscaling-group";
import { EcsCapacityProvider } from "@cdktf/provider-aws/lib/ecs-capacity-provider";
import { EcsClusterCapacityProviders } from "@cdktf/provider-aws/lib/ecs-cluster-capacity-providers";
import { DEFAULTS } from "../config/defaults";
import { instanceTypeArchitecture } from "../ec2/instance-types";
import { type ImagePullBehavior, renderEcsConfig } from "../ec2/ecs-config";
import { containerInstancePolicy, ec2TrustPolicy } from "../aws/iam-policies";
import type { RegistryAuth } from "../ec2/registry-auth";
import { renderUserData } from "../ec2/user-data";
import { allowHttpsOut } from "./service-parts";
import { hclStringLiteral } from "./registry-credentials";

/** AWS's public SSM parameters naming the recommended ECS-optimized Amazon Linux 2023 AMI. */
export const ECS_OPTIMIZED_AMI_PARAMETER = {
  X86_64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/recommended/image_id",
  ARM64: "/aws/service/ecs/optimized-ami/amazon-linux-2023/arm64/recommended/image_id",
} as const;

/** The root device of the ECS-optimized AL2023 AMI. */
const ROOT_DEVICE = "/dev/xvda";

export interface SpotSettings {
  /** On-demand instances before any Spot. */
  readonly onDemandBaseCapacity: number;
  /** Percentage of on-demand above the base. */
  readonly onDemandPercentageAboveBaseCapacity: number;
  readonly allocationStrategy: "price-capacity-optimized" | "capacity-optimized" | "lowest-price";
  /**
   * Instance types besides `instanceType` the group may launch (more types, fewer interruptions).
   * @default []
   */
  readonly instanceTypes?: readonly string[];
}

export interface Ec2CapacityProps {
  /**
   * Stack resource name: launch template, Auto Scaling group and capacity provider `<name>`, role `<name>-instance`,
   * security group `<name>-instances`.
   */
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** The cluster the instances join, as a literal: it is written into the user data at synth. */
  readonly clusterName: string;
  readonly clusterArn: string;
  readonly vpcId: string;
  /** Subnets for the instances: private ones behind NAT. */
  readonly subnetIds: readonly string[];
  /**
   * Give instances public IPs: only for public subnets without NAT (`natGateways: "none"`, the explicit cost mode),
   * where the agent would otherwise have no way to ECS and the registry.
   * @default false
   */
  readonly assignPublicIp?: boolean;
  /** Must match `cpuArchitecture`. */
  readonly instanceType: string;
  /** @default "X86_64" */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
  /**
   * A pinned AMI.
   * @default - AWS's recommended ECS-optimized Amazon Linux 2023 AMI for the architecture, read from SSM at plan time
   */
  readonly amiId?: string;
  /** @default 2 */
  readonly minSize?: number;
  /** @default 4 */
  readonly maxSize?: number;
  /**
   * Instances at creation; the capacity provider manages it afterwards (Terraform ignores later changes).
   * @default - minSize
   */
  readonly desiredCapacity?: number;
  /** @default 30 */
  readonly rootVolumeGiB?: number;
  /**
   * Customer-managed key for the root volumes (its policy must let EC2 Auto Scaling's service-linked role use it).
   * @default - the AWS-managed `aws/ebs` key
   */
  readonly volumeKmsKeyArn?: string;
  /** Managed scaling's target utilisation. @default 100 */
  readonly targetCapacityPercent?: number;
  /** Instance refresh keeps at least this share of instances in service. @default 90 */
  readonly minHealthyPercentage?: number;
  /** @default - on-demand only */
  readonly spot?: SpotSettings;
  /** @default 30 */
  readonly containerStopTimeoutSeconds?: number;
  /** @default "default" */
  readonly imagePullBehavior?: ImagePullBehavior;
  /**
   * Further documented agent settings for ecs.config.
   * @default {}
   */
  readonly ecsConfig?: Readonly<Record<string, string>>;
  /** @default { mode: "task" } */
  readonly registryAuth?: RegistryAuth;
  /**
   * Tags for the instances and their volumes (the provider's default tags do not reach them).
   * @default {}
   */
  readonly tags?: Readonly<Record<string, string>>;
  /**
   * Resources the instances need before they boot (the cluster; the secret's value in agent-dockercfg mode).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * ECS container instances: a launch template whose user data renders ecs.config (and, in agent-dockercfg mode,
 * builds the agent's registry auth from Secrets Manager at boot), an Auto Scaling group with instance refresh, and a
 * capacity provider with managed scaling and termination protection as the cluster's default strategy.
 */
export class Ec2Capacity extends Construct {
  readonly autoScalingGroupName: string;
  readonly capacityProviderName: string;
  readonly securityGroupId: string;
  readonly instanceRoleArn: string;
  readonly launchTemplateId: string;
  /** The cluster's capacity provider association: services using the provider must wait for it. */
  readonly clusterCapacityProviders: EcsClusterCapacityProviders;

  constructor(scope: Construct, id: string, props: Ec2CapacityProps) {
    super(scope, id);
    const architecture = props.cpuArchitecture ?? "X86_64";
    const minSize = props.minSize ?? DEFAULTS.ec2.minSize;
    const maxSize = props.maxSize ?? DEFAULTS.ec2.maxSize;
    const desiredCapacity = props.desiredCapacity ?? minSize;
    const rootVolumeGiB = props.rootVolumeGiB ?? DEFAULTS.ec2.rootVolumeGiB;
    const targetCapacity = props.targetCapacityPercent ?? DEFAULTS.ec2.targetCapacityPercent;
    const registryAuth = props.registryAuth ?? { mode: "task" };
    validate(props, { architecture, minSize, maxSize, desiredCapacity, rootVolumeGiB, targetCapacity });

    const ecsConfig = renderEcsConfig({
      clusterName: props.clusterName,
      containerStopTimeoutSeconds: props.containerStopTimeoutSeconds ?? DEFAULTS.ec2.containerStopTimeoutSeconds,
      imagePullBehavior: props.imagePullBehavior ?? DEFAULTS.ec2.imagePullBehavior,
      spotInstanceDraining: props.spot !== undefined,
      extras: props.ecsConfig,
    });

    const role = new IamRole(this, "instance-role", {
      name: `${props.name}-instance`,
      description: `ECS container instances of ${props.name}: join the cluster${registryAuth.mode === "agent-dockercfg" ? ", read the registry secret at boot" : ""}`,
      assumeRolePolicy: JSON.stringify(ec2TrustPolicy()),
    });
    const instancePolicy = new IamRolePolicy(this, "instance-policy", {
      name: "ecs-agent",
      role: role.id,
      policy: JSON.stringify(
        containerInstancePolicy({
          clusterArn: props.clusterArn,
          clusterName: props.clusterName,
          accountId: props.accountId,
          partition: props.partition,
          region: props.region,
          registrySecret: registryAuth.mode === "agent-dockercfg" ? { arn: registryAuth.secretArn, kmsKeyArn: registryAuth.secretKmsKeyArn } : undefined,
          describeTags: props.ecsConfig?.ECS_CONTAINER_INSTANCE_PROPAGATE_TAGS_FROM === "ec2_instance",
        }),
      ),
    });
    const profile = new IamInstanceProfile(this, "instance-profile", { name: `${props.name}-instance`, role: role.name });

    const securityGroup = new SecurityGroup(this, "sg", {
      name: `${props.name}-instances`,
      description: `${props.name} container instances: HTTPS out to ECS, the registry and Secrets Manager`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-instances` },
    });
    allowHttpsOut(this, securityGroup.id);

    const imageId =
      props.amiId ??
      new DataAwsSsmParameter(this, "ecs-optimized-ami", { name: ECS_OPTIMIZED_AMI_PARAMETER[architecture], withDecryption: false }).insecureValue;

    const script = renderUserData({
      ecsConfig,
      region: props.region,
      registryAuth: registryAuth.mode === "agent-dockercfg" ? { ...registryAuth, secretArn: SECRET_ARN_PLACEHOLDER } : registryAuth,
    });
    const instanceTags = { ...props.tags, Name: `${props.name}-instance` };

    const launchTemplate = new LaunchTemplate(this, "launch-template", {
      name: props.name,
      description: `ECS container instances of ${props.name}`,
      imageId,
      instanceType: props.instanceType,
      iamInstanceProfile: { arn: profile.arn },
      // No public IP: the instances sit in private subnets and reach AWS and the registry through NAT (unless the
      // network is the no-NAT cost mode). Explicit, so a subnet's map-public-IP setting cannot add one.
      networkInterfaces: [
        { deviceIndex: 0, associatePublicIpAddress: String(props.assignPublicIp ?? false), deleteOnTermination: "true", securityGroups: [securityGroup.id] },
      ],
      // IMDSv2 only, and hop limit 1 in both network modes: the agent runs on the host network (one hop); bridge
      // containers are a hop further and so cannot reach IMDS, and awsvpc tasks are blocked by ECS_AWSVPC_BLOCK_IMDS.
      // Tasks get credentials from their task role through the agent, never from the instance role; only a task
      // that must read IMDS itself would need 2.
      metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1, instanceMetadataTags: "disabled" },
      blockDeviceMappings: [
        {
          deviceName: ROOT_DEVICE,
          ebs: { volumeSize: rootVolumeGiB, volumeType: "gp3", encrypted: "true", kmsKeyId: props.volumeKmsKeyArn, deleteOnTermination: "true" },
        },
      ],
      userData: userDataAttribute(script, registryAuth.mode === "agent-dockercfg" ? registryAuth.secretArn : undefined),
      updateDefaultVersion: true,
      tagSpecifications: [
        { resourceType: "instance", tags: instanceTags },
        { resourceType: "volume", tags: instanceTags },
      ],
    });
    // A pinned version number, not "$Latest": a template change is then a change of the group, which starts the
    // instance refresh; with "$Latest" the group would launch the new version silently and only on scale-out.
    const launchTemplateRef = { id: launchTemplate.id, version: Token.asString(launchTemplate.latestVersion) };

    const group = new AutoscalingGroup(this, "group", {
      name: props.name,
      minSize,
      maxSize,
      desiredCapacity,
      vpcZoneIdentifier: [...props.subnetIds],
      healthCheckType: "EC2",
      // Managed termination protection: ECS decides which instances may go, those still running tasks are protected.
      protectFromScaleIn: true,
      // Protected instances would block the group's deletion forever; the capacity provider is gone by then.
      forceDelete: true,
      ...launchTemplateSettings(launchTemplateRef, props.instanceType, props.spot),
      instanceRefresh: {
        strategy: "Rolling",
        preferences: {
          minHealthyPercentage: props.minHealthyPercentage ?? DEFAULTS.ec2.minHealthyPercentage,
          // Without "Refresh" the refresh would skip every instance: all are scale-in protected.
          scaleInProtectedInstances: "Refresh",
          skipMatching: false,
        },
      },
      tag: [
        // ECS adds this tag itself when the capacity provider takes over; declaring it keeps plans clean.
        { key: "AmazonECSManaged", value: "true", propagateAtLaunch: true },
        ...Object.entries(instanceTags).map(([key, value]) => ({ key, value, propagateAtLaunch: true })),
      ],
      // The capacity provider owns desired capacity after creation.
      lifecycle: { ignoreChanges: ["desired_capacity"] },
      // An instance that boots before its role may act cannot join the cluster (or read the secret).
      dependsOn: [...(props.dependsOn ?? []), instancePolicy],
    });

    const capacityProvider = new EcsCapacityProvider(this, "capacity-provider", {
      name: props.name,
      autoScalingGroupProvider: {
        autoScalingGroupArn: group.arn,
        managedTerminationProtection: "ENABLED",
        managedDraining: "ENABLED",
        managedScaling: { status: "ENABLED", targetCapacity, minimumScalingStepSize: 1, maximumScalingStepSize: 10 },
      },
    });
    this.clusterCapacityProviders = new EcsClusterCapacityProviders(this, "cluster-capacity-providers", {
      clusterName: props.clusterName,
      capacityProviders: [capacityProvider.name],
      defaultCapacityProviderStrategy: [{ capacityProvider: capacityProvider.name, weight: 1, base: 0 }],
      dependsOn: props.dependsOn,
    });

    this.autoScalingGroupName = group.name;
    this.capacityProviderName = capacityProvider.name;
    this.securityGroupId = securityGroup.id;
    this.instanceRoleArn = role.arn;
    this.launchTemplateId = launchTemplate.id;
  }
}

/** Stands in for the secret ARN while the script is rendered; replaced by the (possibly unknown) ARN afterwards. */
const SECRET_ARN_PLACEHOLDER = "arn:aws:secretsmanager:us-east-1:000000000000:secret:ghcr-ecs-secret-arn-placeholder-AAAAAA";

/**
 * The launch template's `user_data`: base64 of the script. With a created secret the ARN is known only at apply, so
 * Terraform assembles and encodes it (`base64encode(join("", [...]))`); the literal parts are escaped so Terraform
 * keeps the script's `${` and `%{` as they are.
 */
function userDataAttribute(script: string, secretArn: string | undefined): string {
  if (secretArn === undefined) return Buffer.from(script, "utf8").toString("base64");
  const parts = script.split(SECRET_ARN_PLACEHOLDER);
  if (parts.length !== 2) throw new Error("Ec2Capacity: the user data must name the secret ARN exactly once");
  if (!Token.isUnresolved(secretArn)) return Buffer.from(parts.join(secretArn), "utf8").toString("base64");
  // The content of an HCL quoted string (cdktf places it between quotes as is; Fn.rawString leaves `\(` unescaped).
  const literal = (text: string) => hclStringLiteral(text).slice(1, -1);
  return Fn.base64encode(Fn.join("", [literal(parts[0]), secretArn, literal(parts[1])]));
}

function launchTemplateSettings(
  launchTemplate: { id: string; version: string },
  instanceType: string,
  spot: SpotSettings | undefined,
): Pick<AutoscalingGroupConfig, "launchTemplate" | "mixedInstancesPolicy" | "capacityRebalance"> {
  if (!spot) return { launchTemplate };
  const instanceTypes = [...new Set([instanceType, ...(spot.instanceTypes ?? [])])];
  return {
    // Replace a Spot instance at risk before it is interrupted.
    capacityRebalance: true,
    mixedInstancesPolicy: {
      instancesDistribution: {
        onDemandBaseCapacity: spot.onDemandBaseCapacity,
        onDemandPercentageAboveBaseCapacity: spot.onDemandPercentageAboveBaseCapacity,
        spotAllocationStrategy: spot.allocationStrategy,
      },
      launchTemplate: {
        launchTemplateSpecification: { launchTemplateId: launchTemplate.id, version: launchTemplate.version },
        override: instanceTypes.map((type) => ({ instanceType: type })),
      },
    },
  };
}

function validate(
  props: Ec2CapacityProps,
  resolved: { architecture: "X86_64" | "ARM64"; minSize: number; maxSize: number; desiredCapacity: number; rootVolumeGiB: number; targetCapacity: number },
): void {
  if (Token.isUnresolved(props.clusterName)) {
    throw new Error("Ec2Capacity clusterName is a Terraform reference: pass the literal name (it is written into the user data at synth)");
  }
  for (const type of [props.instanceType, ...(props.spot?.instanceTypes ?? [])]) {
    if (instanceTypeArchitecture(type) !== resolved.architecture) {
      throw new Error(
        `Ec2Capacity instance type ${type} is ${instanceTypeArchitecture(type)}, not ${resolved.architecture}: pick a type of the image's architecture`,
      );
    }
  }
  if (!(resolved.minSize <= resolved.desiredCapacity && resolved.desiredCapacity <= resolved.maxSize) || resolved.maxSize < 1) {
    throw new Error(
      `Ec2Capacity sizes min ${resolved.minSize} / desired ${resolved.desiredCapacity} / max ${resolved.maxSize} are invalid: need min <= desired <= max and max >= 1`,
    );
  }
  if (resolved.rootVolumeGiB < 30)
    throw new Error(`Ec2Capacity rootVolumeGiB ${resolved.rootVolumeGiB} is too small: the ECS-optimized AMI needs 30 GiB or more`);
  if (!(resolved.targetCapacity >= 1 && resolved.targetCapacity <= 100)) {
    throw new Error(`Ec2Capacity targetCapacityPercent ${resolved.targetCapacity} is invalid: use 1 to 100`);
  }
}
