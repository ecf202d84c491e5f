import { blocks, isTrue, referencedAddress, type PolicyRule } from "../types";

/** A rule that every resource of `resourceType` names a customer-managed key in `kms_key_id`. */
function customerManagedKeyRule(rule: Omit<PolicyRule, "check" | "resourceTypes"> & { resourceType: string; withoutKey: string }): PolicyRule {
  const { resourceType, withoutKey, ...identity } = rule;
  return {
    ...identity,
    resourceTypes: [resourceType],
    check(stack) {
      return stack
        .resources(resourceType)
        .filter((resource) => typeof resource.block.kms_key_id !== "string" || resource.block.kms_key_id.length === 0)
        .map((resource) => ({
          address: resource.address,
          message: `kms_key_id is not set: ${withoutKey}`,
          fix: 'set encryption.mode to "create-cmk" or "existing-key"',
        }));
    },
  };
}

const secretUsesCmk = customerManagedKeyRule({
  id: "secret-uses-cmk",
  title: "Secrets Manager secrets are encrypted with a customer-managed KMS key",
  checkov: ["CKV_AWS_149"],
  trivy: ["AVD-AWS-0098"],
  severity: "medium",
  resourceType: "aws_secretsmanager_secret",
  withoutKey: "the AWS-managed key aws/secretsmanager encrypts the secret",
});

const secretRotation: PolicyRule = {
  id: "secret-rotation",
  title: "Secrets Manager secrets rotate automatically",
  checkov: ["CKV2_AWS_57", "CKV_AWS_304"],
  trivy: [],
  severity: "low",
  resourceTypes: ["aws_secretsmanager_secret"],
  check(stack) {
    const rotated = new Set(stack.resources("aws_secretsmanager_secret_rotation").map((r) => referencedAddress(r.block.secret_id)));
    return stack
      .resources("aws_secretsmanager_secret")
      .filter((secret) => !rotated.has(secret.address))
      .map((secret) => ({
        address: secret.address,
        message: "no aws_secretsmanager_secret_rotation refers to this secret",
        fix: "add a rotation Lambda, or declare a waiver: a registry token (GitHub PAT) cannot be rotated by AWS and is rotated by bumping credentials.version",
      }));
  },
};

const kmsKeyRotation: PolicyRule = {
  id: "kms-key-rotation",
  title: "Customer-managed KMS keys rotate",
  checkov: ["CKV_AWS_7"],
  trivy: ["AVD-AWS-0065"],
  severity: "medium",
  resourceTypes: ["aws_kms_key"],
  check(stack) {
    const symmetric = stack.resources("aws_kms_key").filter((key) => (key.block.customer_master_key_spec ?? "SYMMETRIC_DEFAULT") === "SYMMETRIC_DEFAULT");
    if (symmetric.length === 0) return { notApplicable: "no symmetric KMS key (only those support rotation)" };
    return symmetric
      .filter((key) => !isTrue(key.block.enable_key_rotation))
      .map((key) => ({
        address: key.address,
        message: `enable_key_rotation is ${JSON.stringify(key.block.enable_key_rotation ?? false)}`,
        fix: "set enable_key_rotation = true (yearly, no downtime, old material stays for decryption)",
      }));
  },
};

const logGroupRetention: PolicyRule = {
  id: "log-group-retention",
  title: "CloudWatch log groups expire their logs",
  checkov: ["CKV_AWS_66"],
  trivy: [],
  severity: "low",
  resourceTypes: ["aws_cloudwatch_log_group"],
  check(stack) {
    return stack
      .resources("aws_cloudwatch_log_group")
      .filter((group) => !(Number(group.block.retention_in_days) > 0))
      .map((group) => ({
        address: group.address,
        message: `retention_in_days is ${JSON.stringify(group.block.retention_in_days ?? null)}: logs are kept forever`,
        fix: "set logRetentionDays (default 30)",
      }));
  },
};

const logGroupRetentionOneYear: PolicyRule = {
  id: "log-group-retention-one-year",
  title: "CloudWatch log groups keep logs for at least a year",
  checkov: ["CKV_AWS_338"],
  trivy: [],
  severity: "low",
  resourceTypes: ["aws_cloudwatch_log_group"],
  check(stack) {
    return stack
      .resources("aws_cloudwatch_log_group")
      .filter((group) => Number(group.block.retention_in_days) > 0 && Number(group.block.retention_in_days) < 365)
      .map((group) => ({
        address: group.address,
        message: `retention_in_days is ${group.block.retention_in_days} (< 365)`,
        fix: "set logRetentionDays to 365 or more where an audit requires it, or declare a waiver (application logs rarely need a year)",
      }));
  },
};

const logGroupCmk = customerManagedKeyRule({
  id: "log-group-cmk",
  title: "CloudWatch log groups are encrypted with a customer-managed KMS key",
  checkov: ["CKV_AWS_158"],
  trivy: ["AVD-AWS-0017"],
  severity: "low",
  resourceType: "aws_cloudwatch_log_group",
  withoutKey: "CloudWatch's own key encrypts the logs",
});

const clusterContainerInsights: PolicyRule = {
  id: "cluster-container-insights",
  title: "ECS clusters have Container Insights on",
  checkov: ["CKV_AWS_65"],
  trivy: ["AVD-AWS-0034"],
  severity: "low",
  resourceTypes: ["aws_ecs_cluster"],
  check(stack) {
    return stack
      .resources("aws_ecs_cluster")
      .filter((cluster) => !blocks(cluster.block.setting).some((s) => s.name === "containerInsights" && ["enabled", "enhanced"].includes(String(s.value))))
      .map((cluster) => {
        const setting = blocks(cluster.block.setting).find((s) => s.name === "containerInsights");
        return {
          address: cluster.address,
          message: setting ? `containerInsights is ${JSON.stringify(setting.value)}` : "no containerInsights setting (off by default)",
          fix: "set containerInsights = true in the config",
        };
      });
  },
};

export const ENCRYPTION_AND_LOG_RULES: readonly PolicyRule[] = [
  secretUsesCmk,
  secretRotation,
  kmsKeyRotation,
  logGroupRetention,
  logGroupRetentionOneYear,
  logGroupCmk,
  clusterContainerInsights,
];
