/** The ECS container definition for the application, as the JSON ECS expects (camelCase keys). */
export interface ContainerDefinitionInput {
  readonly name: string;
  readonly image: string;
  /** Undefined for a worker: no port mapping. */
  readonly containerPort?: number;
  /** Hard memory limit for the container, MiB. */
  readonly memory: number;
  /**
   * Secrets Manager ARN of the `{"username","password"}` registry credentials (`repositoryCredentials`).
   * Undefined when the EC2 instances' agent authenticates to the registry itself.
   */
  readonly registrySecretArn?: string;
  /** Host port: the container port (awsvpc), or 0 for a dynamic port (bridge). Defaults to the container port. */
  readonly hostPort?: number;
  readonly environment: Readonly<Record<string, string>>;
  /** Environment variable name → Secrets Manager or SSM ARN. */
  readonly secrets: Readonly<Record<string, string>>;
  readonly logGroupName: string;
  readonly region: string;
  /** Read-only root filesystem with the task's {@link SCRATCH_VOLUME} mounted writable at /tmp. */
  readonly readOnlyRootFilesystem: boolean;
  /** Seconds from SIGTERM to SIGKILL; undefined leaves ECS's default (30 s). */
  readonly stopTimeoutSeconds?: number;
}

/** The name of the container's port mapping, which Service Connect refers to. */
export const PORT_NAME = "http";

/** The task-scoped volume a read-only container writes to (Fargate task storage, or a Docker volume on EC2). */
export const SCRATCH_VOLUME = "tmp";

export function containerDefinition(input: ContainerDefinitionInput): Record<string, unknown> {
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    name: input.name,
    image: input.image,
    essential: true,
    memory: input.memory,
    portMappings:
      input.containerPort === undefined
        ? []
        : [{ containerPort: input.containerPort, hostPort: input.hostPort ?? input.containerPort, protocol: "tcp", name: PORT_NAME }],
    ...(input.registrySecretArn ? { repositoryCredentials: { credentialsParameter: input.registrySecretArn } } : {}),
    environment: Object.keys(input.environment)
      .sort(byName)
      .map((name) => ({ name, value: input.environment[name] })),
    secrets: Object.keys(input.secrets)
      .sort(byName)
      .map((name) => ({ name, valueFrom: input.secrets[name] })),
    logConfiguration: {
      logDriver: "awslogs",
      options: {
        "awslogs-group": input.logGroupName,
        "awslogs-region": input.region,
        "awslogs-stream-prefix": input.name,
      },
    },
    readonlyRootFilesystem: input.readOnlyRootFilesystem,
    mountPoints: input.readOnlyRootFilesystem ? [{ sourceVolume: SCRATCH_VOLUME, containerPath: "/tmp", readOnly: false }] : [],
    ...(input.stopTimeoutSeconds !== undefined ? { stopTimeout: input.stopTimeoutSeconds } : {}),
  };
}
