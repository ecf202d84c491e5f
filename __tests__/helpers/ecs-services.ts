import { CreateClusterCommand, CreateServiceCommand, RegisterTaskDefinitionCommand, type ECSClient } from "@aws-sdk/client-ecs";

export interface ServiceSpec {
  readonly name: string;
  readonly desiredCount: number;
  /** `moto-test:rollout-outcome` for __tests__/fixtures/moto_with_circuit_breaker.py. */
  readonly rolloutOutcome?: "failed" | "rolled-back" | "alarm-rolled-back";
  /** CloudWatch alarms ECS watches during the service's deployments (with rollback). */
  readonly deploymentAlarms?: readonly string[];
}

/**
 * A cluster `orders` with one Fargate task definition and the given services, created straight through the SDK:
 * the CLI tests need ECS services, not a whole stack (an apply on moto costs ~80 s).
 */
export async function createOrdersServices(ecs: ECSClient, image: string, services: readonly ServiceSpec[], registrySecretArn?: string): Promise<string> {
  await ecs.send(new CreateClusterCommand({ clusterName: "orders" }));
  const registered = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: "orders",
      requiresCompatibilities: ["FARGATE"],
      networkMode: "awsvpc",
      cpu: "512",
      memory: "1024",
      containerDefinitions: [
        {
          name: "app",
          image,
          memory: 768,
          essential: true,
          ...(registrySecretArn ? { repositoryCredentials: { credentialsParameter: registrySecretArn } } : {}),
        },
      ],
    }),
  );
  const taskDefinition = registered.taskDefinition?.taskDefinitionArn as string;
  for (const service of services) {
    await ecs.send(
      new CreateServiceCommand({
        cluster: "orders",
        serviceName: service.name,
        taskDefinition,
        desiredCount: service.desiredCount,
        launchType: "FARGATE",
        ...(service.deploymentAlarms
          ? { deploymentConfiguration: { alarms: { alarmNames: [...service.deploymentAlarms], enable: true, rollback: true } } }
          : {}),
        ...(service.rolloutOutcome ? { tags: [{ key: "moto-test:rollout-outcome", value: service.rolloutOutcome }] } : {}),
      }),
    );
  }
  return taskDefinition;
}
