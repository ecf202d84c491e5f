import { Construct } from "constructs";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { type ApplicationServiceProps, createTaskDefinition, createTaskSecurityGroup, sharedServiceSettings, validateApplicationProps } from "./service-parts";

export interface FargateServiceProps extends ApplicationServiceProps {
  /**
   * The registry credential's secret for `repositoryCredentials`.
   * @default - none: the image comes from ECR (the pull-through cache), which the execution role pulls from with IAM
   */
  readonly registrySecretArn?: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** @default false */
  readonly assignPublicIp?: boolean;
}

/**
 * A Fargate service in the environment's cluster: private tasks reachable only from the ALB, pulling with
 * `repositoryCredentials`, rolled out with a circuit breaker that rolls back.
 */
export class FargateService extends Construct {
  readonly serviceName: string;
  readonly taskDefinitionArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    validateApplicationProps("FargateService", props);
    const taskDefinition = createTaskDefinition(this, props, {
      compatibility: "FARGATE",
      networkMode: "awsvpc",
      registrySecretArn: props.registrySecretArn,
    });
    const securityGroup = createTaskSecurityGroup(this, props);

    const service = new EcsService(this, "service", {
      ...sharedServiceSettings(props),
      cluster: props.clusterArn,
      taskDefinition: taskDefinition.arn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      networkConfiguration: {
        subnets: [...props.subnetIds],
        securityGroups: [securityGroup.id],
        assignPublicIp: props.assignPublicIp ?? false,
      },
    });

    this.serviceName = service.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.securityGroupId = securityGroup.id;
  }
}
