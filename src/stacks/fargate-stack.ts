import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { FargateService } from "../constructs/fargate-service";
import { type DeploymentStackProps, addStackOutputs, applicationServiceProps, buildDeploymentBase } from "./deployment-base";

export type FargateStackProps = DeploymentStackProps;

/**
 * Where the cluster was until ghcr-ecs 0.1 (inside the service construct). The `moved` block carries existing state
 * to the stack-level cluster both stacks now share the shape of, so upgrading replaces nothing.
 */
export const FARGATE_CLUSTER_ADDRESS_BEFORE_0_2 = "aws_ecs_cluster.service_cluster_B81F1F5D";

/** The whole deployment of one config on Fargate: secret, roles, network, ALB, cluster and service. */
export class FargateStack extends TerraformStack {
  constructor(scope: Construct, id: string, props: FargateStackProps) {
    super(scope, id);
    const { config } = props;
    const base = buildDeploymentBase(this, config, {
      name: config.name,
      localStateFile: props.localStateFile,
      registryAuth: "task",
      targetType: "ip",
      ebsForAutoScaling: false,
    });
    base.cluster.moveFromId(FARGATE_CLUSTER_ADDRESS_BEFORE_0_2);

    const service = new FargateService(this, "service", {
      ...applicationServiceProps(config, base, config.name),
      registrySecretArn: base.credentials.secretArn,
      vpcId: base.network.vpcId,
      subnetIds: base.network.serviceSubnetIds,
      assignPublicIp: base.network.assignPublicIp,
      dependsOn: [base.executionRole.policy, base.loadBalancer.forwardingListener, ...(base.credentials.secretVersion ? [base.credentials.secretVersion] : [])],
    });

    addStackOutputs(this, config, base, { serviceName: service.serviceName, registryAuth: "task" });
  }
}
