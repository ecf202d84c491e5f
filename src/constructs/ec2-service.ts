import { Construct } from "constructs";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { parsePortRange } from "../ec2/agent-settings";
import {
  type ApplicationServiceProps,
  admitLoadBalancer,
  createTaskDefinition,
  createTaskSecurityGroup,
  sharedServiceSettings,
  validateApplicationProps,
} from "./service-parts";

/** The host ports Docker hands out in bridge mode: Linux's ephemeral range (AL2023: 32768-60999) with room above. */
const DEFAULT_DYNAMIC_HOST_PORTS = { from: 32768, to: 65535 } as const;

export type Ec2NetworkMode =
  | {
      /** Each task gets its own ENI in the subnets (target type ip). */
      readonly mode: "awsvpc";
      readonly vpcId: string;
      readonly subnetIds: readonly string[];
    }
  | {
      /** Tasks share the instance's network on dynamic host ports (target type instance). */
      readonly mode: "bridge";
      /** The container instances' security group: the ALB is admitted to it on the dynamic host ports. */
      readonly instanceSecurityGroupId: string;
      /**
       * ECS_DYNAMIC_HOST_PORT_RANGE when set in ecs.config, e.g. "32768-60999".
       * @default - 32768-65535
       */
      readonly dynamicHostPortRange?: string;
    };

export interface Ec2ServiceProps extends ApplicationServiceProps {
  /** The capacity provider whose instances run the tasks. */
  readonly capacityProviderName: string;
  readonly network: Ec2NetworkMode;
  /**
   * `repositoryCredentials` secret (registry auth `task`).
   * @default - none: the container instances' agent authenticates to the registry (agent-dockercfg)
   */
  readonly registrySecretArn?: string;
}

/**
 * An ECS service on EC2 container instances through a capacity provider, spread across AZs then packed by memory,
 * behind the same target group rules, circuit breaker and deployment percentages as the Fargate service.
 */
export class Ec2Service extends Construct {
  readonly serviceName: string;
  readonly taskDefinitionArn: string;
  /** The awsvpc tasks' security group; undefined in bridge mode (tasks use the instances' group). */
  readonly securityGroupId?: string;

  constructor(scope: Construct, id: string, props: Ec2ServiceProps) {
    super(scope, id);
    validateApplicationProps("Ec2Service", props);
    const network = props.network;
    const taskDefinition = createTaskDefinition(this, props, {
      compatibility: "EC2",
      networkMode: network.mode,
      registrySecretArn: props.registrySecretArn,
    });

    let networkConfiguration;
    if (network.mode === "awsvpc") {
      const securityGroup = createTaskSecurityGroup(this, { ...props, vpcId: network.vpcId });
      // EC2 tasks cannot have public IPs: the instances' subnets route out through NAT.
      networkConfiguration = { subnets: [...network.subnetIds], securityGroups: [securityGroup.id], assignPublicIp: false };
      this.securityGroupId = securityGroup.id;
    } else {
      const ports = network.dynamicHostPortRange === undefined ? DEFAULT_DYNAMIC_HOST_PORTS : parsePortRange(network.dynamicHostPortRange);
      if (!ports) throw new Error(`Ec2Service dynamicHostPortRange ${JSON.stringify(network.dynamicHostPortRange)} is invalid: use low-high, e.g. 32768-60999`);
      if (props.loadBalancerSecurityGroupId !== undefined) {
        admitLoadBalancer(this, {
          targetSecurityGroupId: network.instanceSecurityGroupId,
          loadBalancerSecurityGroupId: props.loadBalancerSecurityGroupId,
          fromPort: ports.from,
          toPort: ports.to,
          ingressDescription: `Dynamic host ports ${ports.from}-${ports.to} of ${props.name} tasks from the load balancer`,
          egressDescription: `Load balancer to ${props.name} tasks on dynamic host ports ${ports.from}-${ports.to}`,
        });
      }
    }

    const service = new EcsService(this, "service", {
      ...sharedServiceSettings(props),
      cluster: props.clusterArn,
      taskDefinition: taskDefinition.arn,
      capacityProviderStrategy: [{ capacityProvider: props.capacityProviderName, weight: 1, base: 0 }],
      orderedPlacementStrategy: [
        { type: "spread", field: "attribute:ecs.availability-zone" },
        { type: "binpack", field: "memory" },
      ],
      networkConfiguration,
    });
    this.serviceName = service.name;
    this.taskDefinitionArn = taskDefinition.arn;
  }
}
