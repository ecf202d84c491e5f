import { Construct } from "constructs";
import { TerraformStack } from "cdktf";
import type { Config } from "../config/schema";
import { FargateService } from "../constructs/fargate-service";
import { addStackOutputs, applicationServiceProps, buildDeploymentBase } from "./deployment-base";

export { REQUIRED_TERRAFORM_VERSION } from "./deployment-base";

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
