import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import { FargateService } from "../constructs/fargate-service";
import { type DeploymentStackProps, addStackOutputs, applicationServiceProps, buildDeploymentBase } from "./deployment-base";

export type FargateStackProps = DeploymentStackProps;

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

    const service = new FargateService(this, "service", {
      ...applicationServiceProps(config, base, config.name),
      registrySecretArn: base.credentials.secretArn,
      vpcId: base.network.vpcId,
      subnetIds: base.network.serviceSubnetIds,
      assignPublicIp: base.network.assignPublicIp,
      containerInsights: config.containerInsights,
      dependsOn: [
        base.executionRole.policy,
        base.loadBalancer.forwardingListener,
        ...(base.credentials.secretVersion ? [base.credentials.secretVersion] : []),
      ],
    });

    addStackOutputs(this, config, base, { clusterName: service.clusterName, serviceName: service.serviceName, registryAuth: "task" });
  }
}
