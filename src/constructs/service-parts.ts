/**
 * The pieces FargateService and Ec2Service share: the application's props, task role, task definition,
 * the security-group links to the load balancer, and the rollout settings. Functions, not constructs: each creates
 * its resources in the caller's scope, so the resources keep the caller's logical IDs.
 */
import { Construct } from "constructs";
import { ITerraformDependable } from "cdktf";
import { EcsTaskDefinition } from "@cdktf/provider-aws/lib/ecs-task-definition";
import type { EcsServiceConfig } from "@cdktf/provider-aws/lib/ecs-service";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { IamRolePolicy } from "@cdktf/provider-aws/lib/iam-role-policy";
import { SecurityGroup } from "@cdktf/provider-aws/lib/security-group";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { containerDefinition, PORT_NAME, SCRATCH_VOLUME } from "../ecs/container-definition";
import { ecsTasksTrustPolicy, execCommandPolicy } from "../aws/iam-policies";
import { DEFAULTS } from "../config/defaults";

/** What every ECS service of the application is given, whatever runs it. */
export interface ApplicationServiceProps {
  /** Prefix of the service's resource names: task family, task role `<name>-task`, security group `<name>-tasks`. */
  readonly name: string;
  /**
   * The ECS service's and its container's name (an app names them after the service).
   * @default - name
   */
  readonly serviceName?: string;
  readonly region: string;
  readonly accountId: string;
  readonly partition: string;
  /** Image reference including the registry host. */
  readonly image: string;
  /** The environment's cluster (one per stack). */
  readonly clusterArn: string;
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
  /**
   * Application Auto Scaling owns the task count: `desiredCount` is only the first deploy's, later applies leave
   * the count alone (`ignore_changes`).
   * @default false
   */
  readonly desiredCountSetByAutoscaling?: boolean;
  /** @default {} */
  readonly environment?: Readonly<Record<string, string>>;
  /**
   * Variable name → Secrets Manager/SSM ARN. The execution role must be granted each (TaskExecutionRole does).
   * @default {}
   */
  readonly secrets?: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  /**
   * The target group the service registers its tasks with.
   * @default - none: a worker, with no port mapping and no ingress
   */
  readonly targetGroupArn?: string;
  /**
   * The ALB's security group: the only source admitted to the tasks (with `targetGroupArn`).
   * @default - none: nothing is admitted
   */
  readonly loadBalancerSecurityGroupId?: string;
  /**
   * Tasks without a route to the internet: HTTPS only to the VPC endpoints' security group and the S3 prefix list.
   * @default - HTTPS to anywhere (through NAT or a public IP)
   */
  readonly awsOnlyEgress?: { readonly endpointsSecurityGroupId: string; readonly s3PrefixListId: string };
  /**
   * ECS Service Connect: the tasks join the environment's namespace and reach the other members by name; a service
   * with a port is reachable as `<serviceName>:<containerPort>`.
   * @default - not in a namespace
   */
  readonly serviceConnect?: ServiceConnectSettings;
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
  /**
   * Seconds from SIGTERM to SIGKILL when a task stops: Spring Boot's graceful shutdown phase plus its close.
   * @default - ECS's 30 s
   */
  readonly stopTimeoutSeconds?: number;
  /**
   * Read-only root filesystem, with a task-scoped writable volume at /tmp for Tomcat and the JVM.
   * @default true
   */
  readonly readOnlyRootFilesystem?: boolean;
  /**
   * ECS Exec: operators may open a shell in the running tasks; the task role may open the session channels and
   * write the session log. The cluster must log the sessions there (its `execute_command_configuration`).
   * @default - off
   */
  readonly exec?: ExecSettings;
  /**
   * CloudWatch alarms ECS watches during a deployment: while one is in ALARM the deployment fails and rolls back to
   * the last completed one, also when the new tasks pass their health checks.
   * @default - none: only the circuit breaker fails a deployment
   */
  readonly deploymentAlarmNames?: readonly string[];
  /**
   * Resources that must exist before tasks start (the secret's value, the execution role's policy, the listener).
   * @default []
   */
  readonly dependsOn?: ITerraformDependable[];
}

export interface ExecSettings {
  /** The log group the cluster logs ECS Exec sessions to. */
  readonly logGroupName: string;
  /**
   * The key sessions are encrypted with (the cluster's `execute_command_configuration.kms_key_id`).
   * @default - the session is encrypted by TLS only
   */
  readonly kmsKeyArn?: string;
}

export interface ServiceConnectSettings {
  /** The environment's Cloud Map HTTP namespace. */
  readonly namespaceArn: string;
  /** Answer calls on the container port as `<serviceName>` (a worker only calls). */
  readonly serves: boolean;
}

/** The ECS service's and container's name. */
export function serviceNameOf(props: ApplicationServiceProps): string {
  return props.serviceName ?? props.name;
}

/** Whether the container maps its port: behind a target group, or answering Service Connect calls. */
function exposesPort(props: ApplicationServiceProps): boolean {
  return props.targetGroupArn !== undefined || props.serviceConnect?.serves === true;
}

/** Throws, naming the construct, the value and the fix, for props no deployment could use. */
export function validateApplicationProps(construct: string, props: ApplicationServiceProps): void {
  const containerMemory = props.containerMemory ?? props.memory;
  if (containerMemory > props.memory) {
    throw new Error(`${construct} containerMemory ${containerMemory} exceeds task memory ${props.memory}: lower it or raise memory`);
  }
  const minimumHealthyPercent = props.minimumHealthyPercent ?? DEFAULTS.deployment.minimumHealthyPercent;
  const maximumPercent = props.maximumPercent ?? DEFAULTS.deployment.maximumPercent;
  if ((props.targetGroupArn === undefined) !== (props.loadBalancerSecurityGroupId === undefined)) {
    throw new Error(`${construct} targetGroupArn and loadBalancerSecurityGroupId go together: pass both (a load-balanced service) or neither (a worker)`);
  }
  if (maximumPercent <= minimumHealthyPercent) {
    throw new Error(`${construct} maximumPercent ${maximumPercent} must exceed minimumHealthyPercent ${minimumHealthyPercent}, or no deployment can progress`);
  }
}

/** The role the application's code runs as (`<name>-task`): empty until the app needs something, ECS Exec's share aside. */
function createTaskRole(scope: Construct, props: ApplicationServiceProps): IamRole {
  const role = new IamRole(scope, "task-role", {
    name: `${props.name}-task`,
    description: `Role ${props.name}'s application code runs as; grant it what the app calls, nothing by default`,
    assumeRolePolicy: JSON.stringify(ecsTasksTrustPolicy(props.accountId, props.partition, props.region)),
  });
  if (props.exec) {
    new IamRolePolicy(scope, "task-role-exec", {
      role: role.name,
      name: "ecs-exec-sessions",
      policy: JSON.stringify(execCommandPolicy({ accountId: props.accountId, partition: props.partition, region: props.region, ...props.exec })),
    });
  }
  return role;
}

export interface TaskDefinitionRuntime {
  readonly compatibility: "FARGATE" | "EC2";
  readonly networkMode: "awsvpc" | "bridge";
  /** `repositoryCredentials`; undefined when the instances' agent authenticates (EC2 agent-dockercfg). */
  readonly registrySecretArn?: string;
}

/** The application's one-container task definition, family `<name>`. */
export function createTaskDefinition(scope: Construct, props: ApplicationServiceProps, runtime: TaskDefinitionRuntime): EcsTaskDefinition {
  const readOnlyRootFilesystem = props.readOnlyRootFilesystem ?? DEFAULTS.readOnlyRootFilesystem;
  return new EcsTaskDefinition(scope, "task", {
    family: props.name,
    requiresCompatibilities: [runtime.compatibility],
    networkMode: runtime.networkMode,
    cpu: String(props.cpu),
    memory: String(props.memory),
    executionRoleArn: props.executionRoleArn,
    taskRoleArn: createTaskRole(scope, props).arn,
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: props.cpuArchitecture ?? DEFAULTS.cpuArchitecture },
    containerDefinitions: JSON.stringify([
      containerDefinition({
        name: serviceNameOf(props),
        image: props.image,
        containerPort: exposesPort(props) ? props.containerPort : undefined,
        // bridge: Docker picks a free host port from the ephemeral range; the target group learns it from ECS.
        hostPort: runtime.networkMode === "bridge" ? 0 : props.containerPort,
        memory: props.containerMemory ?? props.memory,
        registrySecretArn: runtime.registrySecretArn,
        environment: props.environment ?? {},
        secrets: props.secrets ?? {},
        logGroupName: props.logGroupName,
        region: props.region,
        readOnlyRootFilesystem,
        stopTimeoutSeconds: props.stopTimeoutSeconds,
      }),
    ]),
    volume: readOnlyRootFilesystem ? [{ name: SCRATCH_VOLUME }] : undefined,
  });
}

/**
 * Admits the load balancer to `targetSecurityGroupId` on a port range, and lets the load balancer out to it on the
 * same range only (ingress `from-alb`, the ALB's egress `alb-to-tasks`).
 */
export function admitLoadBalancer(
  scope: Construct,
  link: {
    readonly targetSecurityGroupId: string;
    readonly loadBalancerSecurityGroupId: string;
    readonly fromPort: number;
    readonly toPort: number;
    /** What the ALB reaches, e.g. "Container port 8098" / "orders tasks" (ingress / egress descriptions). */
    readonly ingressDescription: string;
    readonly egressDescription: string;
  },
): void {
  new VpcSecurityGroupIngressRule(scope, "from-alb", {
    securityGroupId: link.targetSecurityGroupId,
    description: link.ingressDescription,
    ipProtocol: "tcp",
    fromPort: link.fromPort,
    toPort: link.toPort,
    referencedSecurityGroupId: link.loadBalancerSecurityGroupId,
  });
  new VpcSecurityGroupEgressRule(scope, "alb-to-tasks", {
    securityGroupId: link.loadBalancerSecurityGroupId,
    description: link.egressDescription,
    ipProtocol: "tcp",
    fromPort: link.fromPort,
    toPort: link.toPort,
    referencedSecurityGroupId: link.targetSecurityGroupId,
  });
}

/** HTTPS out to anywhere: the registry, Secrets Manager, ECS and CloudWatch Logs. Nothing else leaves. */
export function allowHttpsOut(scope: Construct, securityGroupId: string, id = "https-out"): VpcSecurityGroupEgressRule {
  return new VpcSecurityGroupEgressRule(scope, id, {
    securityGroupId,
    description: "HTTPS to the image registry, Secrets Manager and CloudWatch Logs",
    ipProtocol: "tcp",
    fromPort: 443,
    toPort: 443,
    cidrIpv4: "0.0.0.0/0",
  });
}

/** The awsvpc tasks' security group `<name>-tasks`: container port from the ALB only, HTTPS out. */
export function createTaskSecurityGroup(scope: Construct, props: ApplicationServiceProps & { readonly vpcId: string }): SecurityGroup {
  const securityGroup = new SecurityGroup(scope, "sg", {
    name: `${props.name}-tasks`,
    description: `${props.name} tasks: container port from the ALB only, HTTPS out to the registry and AWS APIs`,
    vpcId: props.vpcId,
    tags: { Name: `${props.name}-tasks` },
  });
  if (props.loadBalancerSecurityGroupId !== undefined) {
    admitLoadBalancer(scope, {
      targetSecurityGroupId: securityGroup.id,
      loadBalancerSecurityGroupId: props.loadBalancerSecurityGroupId,
      fromPort: props.containerPort,
      toPort: props.containerPort,
      ingressDescription: `Container port ${props.containerPort} from the load balancer`,
      egressDescription: `Load balancer to ${props.name} tasks on ${props.containerPort}`,
    });
  }
  if (props.awsOnlyEgress) allowHttpsToAwsOnly(scope, securityGroup.id, props.awsOnlyEgress);
  else allowHttpsOut(scope, securityGroup.id);
  return securityGroup;
}

/** HTTPS to the VPC endpoints and to S3 (ECR's image layers) only: the tasks have no route anywhere else. */
function allowHttpsToAwsOnly(scope: Construct, securityGroupId: string, egress: NonNullable<ApplicationServiceProps["awsOnlyEgress"]>): void {
  const https = { securityGroupId, ipProtocol: "tcp", fromPort: 443, toPort: 443 };
  new VpcSecurityGroupEgressRule(scope, "endpoints-out", {
    ...https,
    description: "HTTPS to the VPC endpoints (ECR, CloudWatch Logs, Secrets Manager)",
    referencedSecurityGroupId: egress.endpointsSecurityGroupId,
  });
  new VpcSecurityGroupEgressRule(scope, "s3-out", { ...https, description: "HTTPS to S3 (ECR's image layers)", prefixListId: egress.s3PrefixListId });
}

/**
 * The service settings both launch types share: behind the target group, circuit breaker with rollback, the
 * deployment percentages, grace period, steady-state wait and tag propagation.
 */
export function sharedServiceSettings(props: ApplicationServiceProps) {
  const name = serviceNameOf(props);
  const behindLoadBalancer = props.targetGroupArn !== undefined;
  return {
    name,
    desiredCount: props.desiredCount ?? DEFAULTS.desiredCount,
    loadBalancer: behindLoadBalancer ? [{ targetGroupArn: props.targetGroupArn, containerName: name, containerPort: props.containerPort }] : undefined,
    // ECS refuses a grace period for a service without a load balancer.
    healthCheckGracePeriodSeconds: behindLoadBalancer ? (props.healthCheckGracePeriodSeconds ?? DEFAULTS.healthCheck.gracePeriodSeconds) : undefined,
    serviceConnectConfiguration: props.serviceConnect && {
      enabled: true,
      namespace: props.serviceConnect.namespaceArn,
      service: props.serviceConnect.serves
        ? [{ portName: PORT_NAME, discoveryName: name, clientAlias: { port: props.containerPort, dnsName: name } }]
        : undefined,
    },
    deploymentCircuitBreaker: { enable: true, rollback: true },
    alarms: props.deploymentAlarmNames?.length ? { alarmNames: [...props.deploymentAlarmNames], enable: true, rollback: true } : undefined,
    deploymentMinimumHealthyPercent: props.minimumHealthyPercent ?? DEFAULTS.deployment.minimumHealthyPercent,
    deploymentMaximumPercent: props.maximumPercent ?? DEFAULTS.deployment.maximumPercent,
    waitForSteadyState: props.waitForSteadyState ?? DEFAULTS.deployment.waitForSteadyState,
    enableExecuteCommand: props.exec ? true : undefined,
    // After an AZ outage, ECS moves tasks back until they are spread over the AZs again (AWS's default for new services).
    availabilityZoneRebalancing: "ENABLED",
    propagateTags: "SERVICE",
    enableEcsManagedTags: true,
    dependsOn: props.dependsOn,
    lifecycle: props.desiredCountSetByAutoscaling ? { ignoreChanges: ["desired_count"] } : undefined,
  } satisfies Partial<EcsServiceConfig>;
}
