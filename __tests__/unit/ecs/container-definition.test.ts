import { containerDefinition, type ContainerDefinitionInput } from "../../../src/ecs/container-definition";

const REGISTRY_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-AbC123";
const DB_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders/db-XyZ789:password::";
const API_KEY_PARAMETER = "arn:aws:ssm:us-east-1:123456789012:parameter/orders/api-key";

const SAMPLE: ContainerDefinitionInput = {
  name: "orders",
  image: "ghcr.io/acme/orders-service:1.4.2",
  containerPort: 8098,
  memory: 768,
  registrySecretArn: REGISTRY_SECRET,
  environment: { SPRING_PROFILES_ACTIVE: "prod", SERVER_PORT: "8098", JAVA_TOOL_OPTIONS: "-XX:MaxRAMPercentage=75", lower_case: "x" },
  secrets: { DB_PASSWORD: DB_SECRET, API_KEY: API_KEY_PARAMETER },
  logGroupName: "/ecs/orders",
  region: "us-east-1",
  readOnlyRootFilesystem: true,
};

describe("containerDefinition", () => {
  it("builds the exact ECS container definition for the application", () => {
    expect(containerDefinition(SAMPLE)).toStrictEqual({
      name: "orders",
      image: "ghcr.io/acme/orders-service:1.4.2",
      essential: true,
      memory: 768,
      portMappings: [{ containerPort: 8098, hostPort: 8098, protocol: "tcp", name: "http" }],
      repositoryCredentials: { credentialsParameter: REGISTRY_SECRET },
      environment: [
        { name: "JAVA_TOOL_OPTIONS", value: "-XX:MaxRAMPercentage=75" },
        { name: "SERVER_PORT", value: "8098" },
        { name: "SPRING_PROFILES_ACTIVE", value: "prod" },
        { name: "lower_case", value: "x" },
      ],
      secrets: [
        { name: "API_KEY", valueFrom: API_KEY_PARAMETER },
        { name: "DB_PASSWORD", valueFrom: DB_SECRET },
      ],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": "/ecs/orders",
          "awslogs-region": "us-east-1",
          "awslogs-stream-prefix": "orders",
        },
      },
      readonlyRootFilesystem: true,
      mountPoints: [{ sourceVolume: "tmp", containerPath: "/tmp", readOnly: false }],
    });
  });

  it("keeps a writable root filesystem, and mounts nothing, when asked to", () => {
    const definition = containerDefinition({ ...SAMPLE, readOnlyRootFilesystem: false });
    expect(definition.readonlyRootFilesystem).toBe(false);
    expect(definition.mountPoints).toStrictEqual([]);
  });

  it("pulls the image with the registry credentials secret ARN, not a name", () => {
    expect(containerDefinition(SAMPLE).repositoryCredentials).toStrictEqual({ credentialsParameter: REGISTRY_SECRET });
  });

  it("does not depend on the order environment variables and secrets were written in", () => {
    const reversed: ContainerDefinitionInput = {
      ...SAMPLE,
      environment: Object.fromEntries(Object.entries(SAMPLE.environment).reverse()),
      secrets: Object.fromEntries(Object.entries(SAMPLE.secrets).reverse()),
    };
    expect(JSON.stringify(containerDefinition(reversed))).toBe(JSON.stringify(containerDefinition(SAMPLE)));
  });

  it("writes empty environment and secrets lists when there are none", () => {
    const definition = containerDefinition({ ...SAMPLE, environment: {}, secrets: {} });
    expect(definition.environment).toStrictEqual([]);
    expect(definition.secrets).toStrictEqual([]);
  });

  it("maps the container port to the same host port, as awsvpc requires", () => {
    expect(containerDefinition({ ...SAMPLE, containerPort: 8080 }).portMappings).toStrictEqual([
      { containerPort: 8080, hostPort: 8080, protocol: "tcp", name: "http" },
    ]);
  });

  it("does not modify its input", () => {
    const before = JSON.stringify(SAMPLE);
    containerDefinition(SAMPLE);
    expect(JSON.stringify(SAMPLE)).toBe(before);
  });
});
