import type { PolicyRule } from "../types";
import { LOAD_BALANCER_RULES } from "./load-balancer";
import { SECURITY_GROUP_RULES } from "./security-groups";
import { IAM_RULES } from "./iam";
import { ENCRYPTION_AND_LOG_RULES } from "./encryption-and-logs";
import { ECS_RULES } from "./ecs";
import { ECS_EXEC_RULES } from "./ecs-exec";
import { EC2_RULES } from "./ec2";
import { RELIABILITY_RULES } from "./reliability";
import { GITHUB_OIDC_RULES } from "./github-oidc";

/** Every rule the gate runs, in report order. */
export const POLICY_RULES: readonly PolicyRule[] = [
  ...LOAD_BALANCER_RULES,
  ...SECURITY_GROUP_RULES,
  ...IAM_RULES,
  ...GITHUB_OIDC_RULES,
  ...ENCRYPTION_AND_LOG_RULES,
  ...ECS_RULES,
  ...ECS_EXEC_RULES,
  ...EC2_RULES,
  ...RELIABILITY_RULES,
];

/** The IDs a waiver may name for a rule: ours and the equivalent checkov and trivy IDs. */
export function ruleIds(rule: PolicyRule): string[] {
  return [rule.id, ...rule.checkov, ...rule.trivy];
}
