/**
 * Each service of an environment: its log group, its own execution role (reading only its credential and its
 * container secrets), its listener rule, and the ECS service on Fargate or on the environment's container instances.
 */
import type { Construct } from "constructs";
import type { TerraformStack } from "cdktf";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LbListenerRule } from "@cdktf/provider-aws/lib/lb-listener-rule";
import { VpcSecurityGroupEgressRule } from "@cdktf/provider-aws/lib/vpc-security-group-egress-rule";
import { VpcSecurityGroupIngressRule } from "@cdktf/provider-aws/lib/vpc-security-group-ingress-rule";
import type { EnvironmentModel, ServiceModel } from "../config/model";
import { Ec2Service } from "../constructs/ec2-service";
import { FargateService } from "../constructs/fargate-service";
import { MetricAlarms } from "../constructs/metric-alarms";
import { ServiceAutoscaling } from "../constructs/service-autoscaling";
import type { ApplicationServiceProps } from "../constructs/service-parts";
import { TaskExecutionRole } from "../constructs/task-execution-role";
import type { RegistryAuthMode } from "../ec2/registry-auth";
import { deploymentAlarmNames, serviceAlarmPlan } from "../ecs/alarms";
import { autoscalingPlan } from "../ecs/autoscaling";
import { mirroredImage } from "../registry/ecr-mirror";
import { logGroupNameOf, serviceScope, type EnvironmentBase } from "./environment-base";

export interface DeployedService {
  readonly model: ServiceModel;
  readonly scope: Construct;
  readonly serviceName: string;
  readonly logGroupName: string;
  readonly executionRoleArn: string;
  readonly credentialsSecretArn: string;
  /** `task`, `agent-dockercfg`, or `ecr-pull-through-cache` (the image comes from ECR, no registry credential). */
  readonly registryAuth: RegistryAuthMode | "ecr-pull-through-cache";
  /** Where ECS pulls the image from through the ECR pull-through cache; undefined without one. */
  readonly mirrorImage?: string;
  /** The tasks' security group (awsvpc); undefined for bridge-mode tasks, which use the instances' group. */
  readonly securityGroupId?: string;
}

export function addService(stack: TerraformStack, environment: EnvironmentModel, base: EnvironmentBase, service: ServiceModel): DeployedService {
  const scope = serviceScope(stack, environment, service);
  const settings = service.settings;
  const credential = base.credentials.get(service.credential)!;
  const registryAuth: RegistryAuthMode = service.launchType === "ec2" ? environment.ec2!.registryAuth : "task";
  const mirror = base.mirror;
  // Through the cache, tasks never read the credential: ECR does.
  const tasksReadSecret = registryAuth === "task" && !mirror;
  const mirrorImage = mirror && mirroredImage(settings.image, { accountId: base.accountId, region: environment.region, prefix: mirror.prefix });

  const logGroup = new CloudwatchLogGroup(scope, "logs", {
    name: logGroupNameOf(environment, service),
    retentionInDays: settings.logRetentionDays,
    kmsKeyId: base.keyArn,
  });
  const executionRole = new TaskExecutionRole(scope, "execution-role", {
    name: service.resourceName,
    accountId: base.accountId,
    partition: base.partition,
    region: environment.region,
    registrySecretArn: tasksReadSecret ? credential.secretArn : undefined,
    containerSecretSources: Object.values(settings.secrets),
    kmsKeyArns: tasksReadSecret && credential.kmsKeyArn ? [credential.kmsKeyArn] : [],
    logGroupArn: logGroup.arn,
    mirrorRepositoriesArn: mirror?.construct.repositoriesArn,
  });

  const targetGroup = service.loadBalanced ? base.targetGroups.get(service.name) : undefined;
  const targetGroupArn = targetGroup?.arn;
  const rule =
    service.route && targetGroupArn
      ? new LbListenerRule(scope, "route", {
          listenerArn: base.loadBalancer.forwardingListener.arn,
          priority: service.route.priority,
          action: [{ type: "forward", targetGroupArn }],
          condition: [
            ...(service.route.hostHeaders ? [{ hostHeader: { values: [...service.route.hostHeaders] } }] : []),
            ...(service.route.pathPatterns ? [{ pathPattern: { values: [...service.route.pathPatterns] } }] : []),
          ],
          tags: { Name: `${service.resourceName}-route` },
        })
      : undefined;

  // Alarm dimensions name the cluster and service as written, not through the service: ECS depends on the alarms.
  const alarmPlan = base.alarmTopicArn
    ? serviceAlarmPlan({
        resourceName: service.resourceName,
        clusterName: environment.stackName,
        serviceName: service.ecsName,
        logGroupName: logGroupNameOf(environment, service),
        alarms: settings.alarms,
        containerInsights: environment.containerInsights,
        target: targetGroup && { loadBalancer: base.loadBalancer.arnSuffix, targetGroup: targetGroup.arnSuffix },
      })
    : [];
  const alarms = alarmPlan.length > 0 ? new MetricAlarms(scope, "alarms", { alarms: alarmPlan, topicArn: base.alarmTopicArn! }) : undefined;
  const watched = deploymentAlarmNames(alarmPlan);

  const autoscaling = autoscalingPlan(settings);
  const props: ApplicationServiceProps = {
    name: service.resourceName,
    ...(service.ecsName !== service.resourceName ? { serviceName: service.ecsName } : {}),
    region: environment.region,
    accountId: base.accountId,
    partition: base.partition,
    image: mirrorImage ?? settings.image,
    clusterArn: base.cluster.arn,
    executionRoleArn: executionRole.roleArn,
    containerPort: settings.containerPort,
    cpu: settings.cpu,
    memory: settings.memory,
    containerMemory: settings.containerMemory,
    cpuArchitecture: settings.cpuArchitecture,
    desiredCount: settings.desiredCount,
    environment: settings.environment,
    secrets: settings.secrets,
    logGroupName: logGroup.name,
    ...(targetGroupArn ? { targetGroupArn, loadBalancerSecurityGroupId: base.loadBalancer.securityGroupId } : {}),
    ...(service.serviceConnect && base.namespaceArn ? { serviceConnect: { namespaceArn: base.namespaceArn, serves: service.loadBalanced } } : {}),
    healthCheckGracePeriodSeconds: settings.healthCheck.gracePeriodSeconds,
    minimumHealthyPercent: settings.deployment.minimumHealthyPercent,
    maximumPercent: settings.deployment.maximumPercent,
    waitForSteadyState: settings.deployment.waitForSteadyState,
    readOnlyRootFilesystem: settings.readOnlyRootFilesystem,
    stopTimeoutSeconds: settings.stopTimeoutSeconds,
    desiredCountSetByAutoscaling: autoscaling !== undefined,
    deploymentAlarmNames: watched,
    ...(settings.exec && base.exec ? { exec: base.exec } : {}),
    ...(base.endpoints ? { awsOnlyEgress: { endpointsSecurityGroupId: base.endpoints.securityGroupId, s3PrefixListId: base.endpoints.s3PrefixListId } } : {}),
  };
  // No task starts before the role can read the secret, the secret has its value and the listener (rule) routes.
  const routed = [executionRole.policy, base.loadBalancer.forwardingListener, ...(rule ? [rule] : []), ...watched.map((name) => alarms!.byName.get(name)!)];
  // ECR needs the credential (and the cache's rule) before the first pull through it.
  const secretValue = [...(credential.secretVersion ? [credential.secretVersion] : []), ...(mirror ? [mirror.construct.rule] : [])];

  let ecsService: FargateService | Ec2Service;
  if (service.launchType === "fargate") {
    ecsService = new FargateService(scope, "service", {
      ...props,
      ...(tasksReadSecret ? { registrySecretArn: credential.secretArn } : {}),
      vpcId: base.network.vpcId,
      subnetIds: base.network.serviceSubnetIds,
      assignPublicIp: base.network.assignPublicIp,
      dependsOn: [...routed, ...secretValue],
    });
  } else {
    const capacity = base.capacity!;
    const ec2 = environment.ec2!;
    ecsService = new Ec2Service(scope, "service", {
      ...props,
      capacityProviderName: capacity.capacityProviderName,
      registrySecretArn: tasksReadSecret ? credential.secretArn : undefined,
      network:
        ec2.networkMode === "bridge"
          ? { mode: "bridge", instanceSecurityGroupId: capacity.securityGroupId, dynamicHostPortRange: ec2.ecsConfig.ECS_DYNAMIC_HOST_PORT_RANGE }
          : { mode: "awsvpc", vpcId: base.network.vpcId, subnetIds: base.network.serviceSubnetIds },
      dependsOn: [...routed, capacity.clusterCapacityProviders, ...secretValue],
    });
  }

  if (base.endpoints && ecsService.securityGroupId) base.endpoints.admit(scope, "endpoints-in", ecsService.securityGroupId);

  if (autoscaling) {
    new ServiceAutoscaling(scope, "autoscaling", {
      name: service.resourceName,
      clusterName: base.cluster.name,
      serviceName: ecsService.serviceName,
      plan: autoscaling,
      requestCountResourceLabel: targetGroup && `${base.loadBalancer.arnSuffix}/${targetGroup.arnSuffix}`,
    });
  }

  return {
    model: service,
    scope,
    serviceName: ecsService.serviceName,
    logGroupName: logGroup.name,
    executionRoleArn: executionRole.roleArn,
    credentialsSecretArn: credential.secretArn,
    registryAuth: mirror ? "ecr-pull-through-cache" : registryAuth,
    ...(mirrorImage ? { mirrorImage } : {}),
    securityGroupId: ecsService.securityGroupId,
  };
}

/**
 * Service Connect: every member may call every member that answers, on its container port and nothing else — an
 * egress rule on the caller's group and an ingress rule on the callee's, each naming the other group.
 */
export function admitServiceConnectCalls(services: readonly DeployedService[]): void {
  const members = services.filter((s) => s.model.serviceConnect && s.securityGroupId);
  for (const callee of members.filter((s) => s.model.loadBalanced)) {
    const port = callee.model.settings.containerPort;
    for (const caller of members.filter((s) => s !== callee)) {
      new VpcSecurityGroupIngressRule(callee.scope, `from-${caller.model.name}`, {
        securityGroupId: callee.securityGroupId!,
        description: `Service Connect calls from ${caller.model.name} on ${port}`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: caller.securityGroupId,
      });
      new VpcSecurityGroupEgressRule(caller.scope, `to-${callee.model.name}`, {
        securityGroupId: caller.securityGroupId!,
        description: `Service Connect calls to ${callee.model.name} on ${port}`,
        ipProtocol: "tcp",
        fromPort: port,
        toPort: port,
        referencedSecurityGroupId: callee.securityGroupId,
      });
    }
  }
}
