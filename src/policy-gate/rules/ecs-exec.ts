import type { TerraformBlock } from "../../terraform/document";
import { blocks, isTrue, type Finding, type PolicyRule, type Resource, type StackView } from "../types";

/** The clusters of the stack that run a service with ECS Exec on, with those services. */
function clustersWithExec(stack: StackView): { cluster: Resource; services: Resource[] }[] | { notApplicable: string } {
  const services = stack.resources("aws_ecs_service").filter((s) => isTrue(s.block.enable_execute_command));
  if (services.length === 0) return { notApplicable: "no service enables ECS Exec" };
  return stack
    .resources("aws_ecs_cluster")
    .map((cluster) => ({
      cluster,
      // A service names its cluster by reference (${aws_ecs_cluster.<name>.arn}) or, for one cluster, implicitly.
      services: services.filter((s) => String(s.block.cluster ?? "").includes(`${cluster.address}.`) || stack.resources("aws_ecs_cluster").length === 1),
    }))
    .filter((c) => c.services.length > 0);
}

function execConfiguration(cluster: Resource) {
  const configuration = blocks(cluster.block.configuration)[0];
  return configuration ? blocks(configuration.execute_command_configuration)[0] : undefined;
}

const names = (services: Resource[]) => services.map((s) => JSON.stringify(s.block.name)).join(", ");

/**
 * A rule over each cluster that runs a service with ECS Exec: `problemOf` reads its execute_command_configuration
 * (and log configuration) and names what is missing, or returns undefined when the cluster complies.
 */
function execClusterRule(
  rule: Omit<PolicyRule, "resourceTypes" | "check">,
  problemOf: (exec: TerraformBlock | undefined, logConfiguration: TerraformBlock | undefined, services: string) => string | undefined,
  fix: string,
): PolicyRule {
  return {
    ...rule,
    resourceTypes: ["aws_ecs_service"],
    check(stack) {
      const clusters = clustersWithExec(stack);
      if (!Array.isArray(clusters)) return clusters;
      return clusters.flatMap(({ cluster, services }): Finding[] => {
        const exec = execConfiguration(cluster);
        const message = problemOf(exec, exec ? blocks(exec.log_configuration)[0] : undefined, names(services));
        return message === undefined ? [] : [{ address: cluster.address, message, fix }];
      });
    },
  };
}

const execSessionsLogged = execClusterRule(
  {
    id: "ecs-exec-sessions-logged",
    title: "ECS Exec sessions are logged (clusters whose services allow a shell log every session)",
    checkov: ["CKV_AWS_223"],
    trivy: [],
    severity: "medium",
  },
  (exec, logConfiguration, services) =>
    exec?.logging === "OVERRIDE" && (logConfiguration?.cloud_watch_log_group_name ?? logConfiguration?.s3_bucket_name) !== undefined
      ? undefined
      : `services ${services} enable ECS Exec, but the cluster's execute_command_configuration logs them nowhere of its own (logging ${JSON.stringify(exec?.logging ?? "DEFAULT")}, no log group or bucket)`,
  'set logging = "OVERRIDE" with a log_configuration naming a CloudWatch log group (ghcr-ecs does for a service with exec: true)',
);

const execSessionsCmk = execClusterRule(
  {
    id: "ecs-exec-sessions-cmk",
    title: "ECS Exec sessions and their logs are encrypted with a customer-managed KMS key",
    checkov: ["CKV_AWS_224"],
    trivy: [],
    severity: "low",
  },
  (exec, logConfiguration, services) => {
    const missing = [
      ...(exec?.kms_key_id === undefined ? ["no kms_key_id for the session"] : []),
      ...(isTrue(logConfiguration?.cloud_watch_encryption_enabled) ? [] : ["cloud_watch_encryption_enabled is not true"]),
    ];
    return missing.length === 0 ? undefined : `services ${services} enable ECS Exec; the cluster's execute_command_configuration has ${missing.join(" and ")}`;
  },
  'use encryption.mode "create-cmk" or "existing-key": ghcr-ecs then encrypts the sessions and their log with that key',
);

export const ECS_EXEC_RULES: readonly PolicyRule[] = [execSessionsLogged, execSessionsCmk];
