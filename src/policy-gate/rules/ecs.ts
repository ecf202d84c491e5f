import { blocks, isTrue, type Finding, type PolicyRule, type Resource, type StackView } from "../types";
import { credentialIn, isSecretLookingName, redact } from "../secret-patterns";

interface ContainerDefinition {
  readonly name?: string;
  readonly privileged?: unknown;
  readonly readonlyRootFilesystem?: unknown;
  readonly environment?: ReadonlyArray<{ name?: unknown; value?: unknown }>;
}

type Containers = { containers: ContainerDefinition[] } | { unreadable: Finding };

function containersOf(taskDefinition: Resource): Containers {
  try {
    const parsed: unknown = JSON.parse(String(taskDefinition.block.container_definitions));
    if (Array.isArray(parsed)) return { containers: parsed as ContainerDefinition[] };
  } catch {
    // Reported below: the gate fails closed on what it cannot read.
  }
  return {
    unreadable: {
      address: taskDefinition.address,
      message: "container_definitions is not a literal JSON list the gate can inspect",
      fix: "render container_definitions with jsonencode of literal values",
    },
  };
}

/** Runs `inspect` on each container of each task definition in the stack. */
function inspectContainers(stack: StackView, inspect: (container: ContainerDefinition, taskDefinition: Resource) => Finding[]): Finding[] {
  return stack.resources("aws_ecs_task_definition").flatMap((td) => {
    const result = containersOf(td);
    return "unreadable" in result ? [result.unreadable] : result.containers.flatMap((container) => inspect(container, td));
  });
}

const containerLabel = (container: ContainerDefinition) => `container ${JSON.stringify(container.name ?? "?")}`;

const taskNotPrivileged: PolicyRule = {
  id: "task-not-privileged",
  title: "Containers do not run privileged",
  checkov: ["CKV_AWS_334"],
  trivy: [],
  severity: "high",
  resourceTypes: ["aws_ecs_task_definition"],
  check(stack) {
    return inspectContainers(stack, (container, td) =>
      isTrue(container.privileged)
        ? [
            {
              address: td.address,
              message: `${containerLabel(container)} has privileged: true (root on the host)`,
              fix: "remove privileged; add only the Linux capabilities the container needs",
            },
          ]
        : [],
    );
  },
};

const taskNoHostPid: PolicyRule = {
  id: "task-no-host-pid",
  title: "Tasks do not share the host's process namespace",
  checkov: ["CKV_AWS_335"],
  trivy: [],
  severity: "high",
  resourceTypes: ["aws_ecs_task_definition"],
  check(stack) {
    return stack
      .resources("aws_ecs_task_definition")
      .filter((td) => td.block.pid_mode === "host")
      .map((td) => ({
        address: td.address,
        message: 'pid_mode is "host": the containers see and can signal every process on the instance',
        fix: 'remove pid_mode (or use "task")',
      }));
  },
};

const taskReadOnlyRootFilesystem: PolicyRule = {
  id: "task-read-only-root-filesystem",
  title: "Containers have a read-only root filesystem",
  checkov: ["CKV_AWS_336"],
  trivy: [],
  severity: "medium",
  resourceTypes: ["aws_ecs_task_definition"],
  check(stack) {
    return inspectContainers(stack, (container, td) =>
      isTrue(container.readonlyRootFilesystem)
        ? []
        : [
            {
              address: td.address,
              message: `${containerLabel(container)} has readonlyRootFilesystem ${JSON.stringify(container.readonlyRootFilesystem ?? null)}: a compromised process can modify the image's files`,
              fix: "set readonlyRootFilesystem: true with a writable volume mounted at /tmp (Spring Boot's embedded Tomcat writes there)",
            },
          ],
    );
  },
};

const taskNoPlaintextSecrets: PolicyRule = {
  id: "task-no-plaintext-secrets",
  title: "No secrets in plaintext container environment variables",
  checkov: [],
  trivy: ["AVD-AWS-0036"],
  severity: "critical",
  resourceTypes: ["aws_ecs_task_definition"],
  check(stack) {
    return inspectContainers(stack, (container, td) =>
      (container.environment ?? []).flatMap((variable): Finding[] => {
        const name = typeof variable.name === "string" ? variable.name : "";
        const value = typeof variable.value === "string" ? variable.value : "";
        const credential = credentialIn(value);
        if (credential) {
          return [
            {
              address: td.address,
              message: `${containerLabel(container)} environment ${name} holds ${credential} (${redact(value)})`,
              fix: `move ${name} to "secrets" (a Secrets Manager or SSM ARN) and revoke the exposed credential`,
            },
          ];
        }
        if (isSecretLookingName(name)) {
          return [
            {
              address: td.address,
              message: `${containerLabel(container)} environment ${name} looks like a secret and is stored in plaintext in the task definition`,
              fix: `move ${name} to "secrets" (a Secrets Manager or SSM ARN), or declare a waiver if the value is not secret`,
            },
          ];
        }
        return [];
      }),
    );
  },
};

const serviceNoPublicIp: PolicyRule = {
  id: "service-no-public-ip",
  title: "ECS services do not give tasks public IPs",
  checkov: ["CKV_AWS_333"],
  trivy: [],
  severity: "medium",
  resourceTypes: ["aws_ecs_service"],
  check(stack) {
    return stack
      .resources("aws_ecs_service")
      .filter((service) => blocks(service.block.network_configuration).some((n) => isTrue(n.assign_public_ip)))
      .map((service) => ({
        address: service.address,
        message: "network_configuration.assign_public_ip is true: tasks are reachable from the internet (subject to their security group)",
        fix: 'use private subnets with NAT (network.natGateways "single" or "per-az")',
      }));
  },
};

function runsOnFargate(service: Resource): boolean {
  if (service.block.launch_type === "FARGATE") return true;
  return blocks(service.block.capacity_provider_strategy).some((s) => /^FARGATE(_SPOT)?$/.test(String(s.capacity_provider)));
}

const fargatePlatformLatest: PolicyRule = {
  id: "fargate-platform-latest",
  title: "Fargate services run on platform version LATEST",
  checkov: ["CKV_AWS_332"],
  trivy: [],
  severity: "low",
  resourceTypes: ["aws_ecs_service"],
  check(stack) {
    const fargate = stack.resources("aws_ecs_service").filter(runsOnFargate);
    if (fargate.length === 0) return { notApplicable: "no Fargate service" };
    return fargate
      .filter((service) => service.block.platform_version !== undefined && service.block.platform_version !== "LATEST")
      .map((service) => ({
        address: service.address,
        message: `platform_version is ${JSON.stringify(service.block.platform_version)}: pinned platforms miss security patches`,
        fix: 'set platform_version = "LATEST"',
      }));
  },
};

export const ECS_RULES: readonly PolicyRule[] = [
  taskNotPrivileged,
  taskNoHostPid,
  taskReadOnlyRootFilesystem,
  taskNoPlaintextSecrets,
  serviceNoPublicIp,
  fargatePlatformLatest,
];
