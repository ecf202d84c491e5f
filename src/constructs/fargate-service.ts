import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { EcsCluster } from "@cdktf/provider-aws/lib/ecs-cluster";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import { EcsService } from "@cdktf/provider-aws/lib/ecs-service";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { containerDefinition } from "../container-definition";
import { ecsTasksTrustPolicy } from "../policies/iam";
import { DEFAULTS } from "../config/defaults";

export interface FargateServiceProps {
  /** Deployment name: cluster, service, task family and container are all named after it. */
  readonly name: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** Image reference including the registry host. */
  readonly image: string;
  /** ARN of the `{"username","password"}` secret for `repositoryCredentials`. */
  readonly registrySecretArn: string;
  readonly executionRoleArn: string;
  readonly containerPort: number;
  /** Task vCPU units (a Fargate size). */
  readonly cpu: number;
  /** Task memory, MiB (a Fargate size for `cpu`). */
  readonly memory: number;
  /**
   * Container hard memory limit, MiB.
   * @default - the task memory
   */
  readonly containerMemory?: number;
  /** @default "X86_64" */
  readonly cpuArchitecture?: "X86_64" | "ARM64";
  /** @default 2 */
  readonly desiredCount?: number;
  /** @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Variable name → Secrets Manager/SSM ARN. The execution role must be granted each (TaskExecutionRole does).
   * @default {}
   */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  readonly vpcId: string;
  readonly subnetIds: readonly string[];
  /** @default false */
  readonly assignPublicIp?: boolean;
  readonly targetGroupArn: string;
  /** The ALB's security group: the only source admitted on the container port. */
  readonly loadBalancerSecurityGroupId: string;
  /**
   * Seconds ECS ignores failing health checks after a task starts (Spring Boot start-up).
   * @default 60
   */
  readonly healthCheckGracePeriodSeconds?: number;
  /** @default 50 */
  readonly minimumHealthyPercent?: number;
  /** @default 200 */
  readonly maximumPercent?: number;
  /**
   * Make Terraform wait until the rollout is steady, so a deploy whose tasks never get healthy fails.
   * @default true
   */
  readonly waitForSteadyState?: boolean;
  /** @default true */
  readonly containerInsights?: boolean;
  /**
   * Resources that must exist before tasks start (the secret's value, the execution role's policy, the listener).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

/**
 * A Fargate service on its own cluster: private tasks reachable only from the ALB, pulling with
 * `repositoryCredentials`, rolled out with a circuit breaker that rolls back.
 */
export class FargateService extends Construct {
  readonly clusterName: string;
  readonly serviceName: string;
  readonly taskDefinitionArn: string;
  readonly securityGroupId: string;

  constructor(scope: Construct, id: string, props: FargateServiceProps) {
    super(scope, id);
    const containerMemory = props.containerMemory ?? props.memory;
    if (containerMemory > props.memory) {
      throw new Error(`FargateService containerMemory ${containerMemory} exceeds task memory ${props.memory}: lower it or raise memory`);
    }
    const minimumHealthyPercent = props.minimumHealthyPercent ?? DEFAULTS.deployment.minimumHealthyPercent;
    const maximumPercent = props.maximumPercent ?? DEFAULTS.deployment.maximumPercent;
    if (maximumPercent <= minimumHealthyPercent) {
      throw new Error(`FargateService maximumPercent ${maximumPercent} must exceed minimumHealthyPercent ${minimumHealthyPercent}, or no deployment can progress`);
    }

    const cluster = new EcsCluster(this, "cluster", {
      name: props.name,
      setting: [{ name: "containerInsights", value: (props.containerInsights ?? DEFAULTS.containerInsights) ? "enabled" : "disabled" }],
    });

    const taskRole = new IamRole(this, "task-role", {
      name: `${props.name}-task`,
      description: `Role ${props.name}'s application code runs as; grant it what the app calls, nothing by default`,
      assumeRolePolicy: JSON.stringify(ecsTasksTrustPolicy(props.accountId, props.partition, props.region)),
    });

    const taskDefinition = new EcsTaskDefinition(this, "task", {
      family: props.name,
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: String(props.cpu),
      memory: String(props.memory),
      executionRoleArn: props.executionRoleArn,
      taskRoleArn: taskRole.arn,
      runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: props.cpuArchitecture ?? DEFAULTS.cpuArchitecture },
      containerDefinitions: JSON.stringify([
        containerDefinition({
          name: props.name,
          image: props.image,
          containerPort: props.containerPort,
          memory: containerMemory,
          registrySecretArn: props.registrySecretArn,
          environment: props.environment ?? {},
          secrets: props.secrets ?? {},
          logGroupName: props.logGroupName,
          region: props.region,
        }),
      ]),
    });

    const securityGroup = new SecurityGroup(this, "sg", {
      name: `${props.name}-tasks`,
      description: `${props.name} tasks: container port from the ALB only, HTTPS out to the registry and AWS APIs`,
      vpcId: props.vpcId,
      tags: { Name: `${props.name}-tasks` },
    });
    new VpcSecurityGroupIngressRule(this, "from-alb", {
      securityGroupId: securityGroup.id,
      description: `Container port ${props.containerPort} from the load balancer`,
      ipProtocol: "tcp",
      fromPort: props.containerPort,
      toPort: props.containerPort,
      referencedSecurityGroupId: props.loadBalancerSecurityGroupId,
    });
    new VpcSecurityGroupEgressRule(this, "alb-to-tasks", {
      securityGroupId: props.loadBalancerSecurityGroupId,
      description: `Load balancer to ${props.name} tasks on ${props.containerPort}`,
      ipProtocol: "tcp",
      fromPort: props.containerPort,
      toPort: props.containerPort,
      referencedSecurityGroupId: securityGroup.id,
    });
    new VpcSecurityGroupEgressRule(this, "https-out", {
      securityGroupId: securityGroup.id,
      description: "HTTPS to the image registry, Secrets Manager and CloudWatch Logs",
      ipProtocol: "tcp",
      fromPort: 443,
      toPort: 443,
      cidrIpv4: "0.0.0.0/0",
    });

    const service = new EcsService(this, "service", {
      name: props.name,
      cluster: cluster.arn,
      taskDefinition: taskDefinition.arn,
      launchType: "FARGATE",
      platformVersion: "LATEST",
      desiredCount: props.desiredCount ?? DEFAULTS.desiredCount,
      networkConfiguration: {
        subnets: [...props.subnetIds],
        securityGroups: [securityGroup.id],
        assignPublicIp: props.assignPublicIp ?? false,
      },
      loadBalancer: [{ targetGroupArn: props.targetGroupArn, containerName: props.name, containerPort: props.containerPort }],
      healthCheckGracePeriodSeconds: props.healthCheckGracePeriodSeconds ?? DEFAULTS.healthCheck.gracePeriodSeconds,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: minimumHealthyPercent,
      deploymentMaximumPercent: maximumPercent,
      waitForSteadyState: props.waitForSteadyState ?? DEFAULTS.deployment.waitForSteadyState,
      propagateTags: "SERVICE",
      enableEcsManagedTags: true,
      dependsOn: props.dependsOn,
    });

    this.clusterName = cluster.name;
    this.serviceName = service.name;
    this.taskDefinitionArn = taskDefinition.arn;
    this.securityGroupId = securityGroup.id;
  }
}
