import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { ec2Settings, ec2StackName } from "../config/derive";
import { parseImageReference } from "../registry/image-reference";
import { Ec2Capacity } from "../constructs/ec2-capacity";
import { Ec2Service } from "../constructs/ec2-service";
import { type DeploymentStackProps, addStackOutputs, applicationServiceProps, buildDeploymentBase } from "./deployment-base";

export type Ec2StackProps = DeploymentStackProps;

/**
 * The deployment of one config on ECS container instances: the same secret, roles, network and ALB design as the
 * Fargate stack, plus the launch template, Auto Scaling group and capacity provider the tasks run on.
 */
export class Ec2Stack extends TerraformStack {
  constructor(scope: Construct, id: string, props: Ec2StackProps) {
    super(scope, id);
    const { config } = props;
    const name = ec2StackName(config);
    const ec2 = ec2Settings(config);
    const base = buildDeploymentBase(this, config, {
      name,
      localStateFile: props.localStateFile,
      registryAuth: ec2.registryAuth,
      targetType: ec2.networkMode === "bridge" ? "instance" : "ip",
      ebsForAutoScaling: true,
    });
    const secretValue = base.credentials.secretVersion ? [base.credentials.secretVersion] : [];

    const cluster = base.cluster;
    const capacity = new Ec2Capacity(this, "capacity", {
      name,
      region: config.region,
      accountId: base.accountId,
      partition: base.partition,
      clusterName: name,
      clusterArn: cluster.arn,
      vpcId: base.network.vpcId,
      subnetIds: base.network.serviceSubnetIds,
      assignPublicIp: base.network.assignPublicIp,
      instanceType: ec2.instanceType,
      cpuArchitecture: config.cpuArchitecture,
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
      registryAuth:
        ec2.registryAuth === "agent-dockercfg"
          ? {
              mode: "agent-dockercfg",
              secretArn: base.credentials.secretArn,
              secretKmsKeyArn: base.credentials.kmsKeyArn,
              registryHost: parseImageReference(config.image).registry,
            }
          : { mode: "task" },
      tags: base.tags,
      // Agent auth reads the secret at boot: its value must be written before the first instance starts.
      dependsOn: [cluster, ...(ec2.registryAuth === "agent-dockercfg" ? secretValue : [])],
    });

    const service = new Ec2Service(this, "service", {
      ...applicationServiceProps(config, base, name),
      capacityProviderName: capacity.capacityProviderName,
      registrySecretArn: ec2.registryAuth === "task" ? base.credentials.secretArn : undefined,
      network:
        ec2.networkMode === "bridge"
          ? { mode: "bridge", instanceSecurityGroupId: capacity.securityGroupId, dynamicHostPortRange: ec2.ecsConfig.ECS_DYNAMIC_HOST_PORT_RANGE }
          : { mode: "awsvpc", vpcId: base.network.vpcId, subnetIds: base.network.serviceSubnetIds },
      dependsOn: [base.executionRole.policy, base.loadBalancer.forwardingListener, capacity.clusterCapacityProviders, ...secretValue],
    });

    addStackOutputs(
      this,
      config,
      base,
      { serviceName: service.serviceName, registryAuth: ec2.registryAuth },
      {
        autoscaling_group_name: capacity.autoScalingGroupName,
        capacity_provider_name: capacity.capacityProviderName,
      },
    );
  }
}
