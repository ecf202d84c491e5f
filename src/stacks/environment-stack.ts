import type { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import type { EnvironmentModel } from "../config/model";
import { buildEnvironmentBase, type EnvironmentBase } from "./environment-base";
import { addService, admitServiceConnectCalls, type DeployedService } from "./environment-services";

/**
 * Where the Fargate cluster was until ghcr-ecs 0.1 (inside the service construct). The `moved` block carries existing
 * state to the stack-level cluster every stack now has, so upgrading replaces nothing.
 */
export const FARGATE_CLUSTER_ADDRESS_BEFORE_0_2 = "aws_ecs_cluster.service_cluster_B81F1F5D";

export interface EnvironmentStackProps {
  readonly environment: EnvironmentModel;
  /**
   * Local state file (until a remote backend is configured).
   * @default - cdktf's default: `terraform.<stack>.tfstate` in the directory synth ran from
   */
  readonly localStateFile?: string;
}

/**
 * One environment of a config: what its services share (network, load balancer, cluster, credentials, container
 * instances) and each service with its own log group, execution role, target group, listener rule and ECS service.
 */
export class EnvironmentStack extends TerraformStack {
  readonly services: readonly DeployedService[];

  constructor(scope: Construct, id: string, props: EnvironmentStackProps) {
    super(scope, id);
    const { environment } = props;
    const base = buildEnvironmentBase(this, environment, { localStateFile: props.localStateFile });
    if (environment.layout === "single-service" && environment.services[0].launchType === "fargate")
      base.cluster.moveFromId(FARGATE_CLUSTER_ADDRESS_BEFORE_0_2);
    this.services = environment.services.map((service) => addService(this, environment, base, service));
    admitServiceConnectCalls(this.services);
    addOutputs(this, environment, base, this.services);
  }
}

/**
 * The outputs the operations CLI reads (logical ids are the output names, so `terraform output <name>` works):
 * `services`, a map of every service's names and ARNs, and for the single-service layout the flat outputs of 0.1.
 */
function addOutputs(stack: TerraformStack, environment: EnvironmentModel, base: EnvironmentBase, services: readonly DeployedService[]): void {
  const credentialUsername = (service: DeployedService) => {
    const settings = environment.credentials.find((c) => c.key === service.model.credential)!.settings;
    return settings.mode === "managed" ? { registry_username: settings.username } : {};
  };
  const capacity = base.capacity
    ? { autoscaling_group_name: base.capacity.autoScalingGroupName, capacity_provider_name: base.capacity.capacityProviderName }
    : {};
  // The topic the alarms notify: subscribe a pager or chat integration to it.
  const outputs: Record<string, unknown> = { service_url: base.loadBalancer.url, ...(base.alarmTopicArn ? { alarm_topic_arn: base.alarmTopicArn } : {}) };
  if (environment.layout === "single-service") {
    const [service] = services;
    Object.assign(outputs, {
      credentials_secret_arn: service.credentialsSecretArn,
      cluster_name: base.cluster.name,
      service_name: service.serviceName,
      log_group_name: service.logGroupName,
      execution_role_arn: service.executionRoleArn,
      image: service.model.settings.image,
      region: environment.region,
      registry_auth_mode: service.registryAuth,
      ...(service.mirrorImage ? { mirror_image: service.mirrorImage } : {}),
      ...capacity,
      ...credentialUsername(service),
    });
  } else {
    Object.assign(outputs, { cluster_name: base.cluster.name, region: environment.region, ...capacity });
  }
  outputs.services = Object.fromEntries(
    services.map((service) => [
      service.model.name,
      {
        service_name: service.serviceName,
        image: service.model.settings.image,
        log_group_name: service.logGroupName,
        execution_role_arn: service.executionRoleArn,
        credentials_secret_arn: service.credentialsSecretArn,
        registry_auth_mode: service.registryAuth,
        ...(service.mirrorImage ? { mirror_image: service.mirrorImage } : {}),
        load_balanced: service.model.loadBalanced,
        ...credentialUsername(service),
      },
    ]),
  );
  // The construct `services` holds an app's services; its output's construct takes another id (the name is the logical id).
  for (const [name, value] of Object.entries(outputs))
    new TerraformOutput(stack, name === "services" ? "services-output" : name, { value }).overrideLogicalId(name);
}
