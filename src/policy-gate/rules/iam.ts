import type { TerraformBlock } from "../../terraform/document";
import { stringList, blocks, type Finding, type PolicyRule, type Resource, type StackView } from "../types";

/** A policy statement normalized from either a JSON policy string or a `data.aws_iam_policy_document`. */
export interface Statement {
  readonly effect: string;
  readonly actions: string[];
  /** `NotAction`: an Allow with it grants every action but these. */
  readonly notActions: string[];
  readonly resources: string[];
  /** `NotResource`: an Allow with it grants on every resource but these. */
  readonly notResources: string[];
  /** `type:identifier`, e.g. `AWS:arn:aws:iam::123456789012:root`, `Service:ecs-tasks.amazonaws.com`, `*:*`. */
  readonly principals: string[];
  /** `NotPrincipal`, as `type:identifier`: an Allow with it trusts everyone but these. */
  readonly notPrincipals: string[];
  /** Operator → condition key → values, e.g. `{StringEquals: {"aws:SourceAccount": ["123456789012"]}}`. */
  readonly conditions: Readonly<Record<string, Readonly<Record<string, string[]>>>>;
  readonly label: string;
}

export interface PolicyDocumentSource {
  readonly owner: Resource;
  readonly attribute: string;
  readonly text: unknown;
}

type Parsed = { statements: Statement[] } | { unreadable: string };

/**
 * Actions whose Service Authorization Reference entry has no resource type: they only accept `"Resource": "*"`.
 * `ec2:Describe*` stands for every EC2 Describe action (none supports resource-level permissions). And
 * `logs:DescribeLogGroups`, which AWS's ECS Exec guide grants on "*" to the task's agent (it lists the account's
 * log groups).
 */
const RESOURCELESS_ACTIONS: readonly string[] = [
  "ecr:GetAuthorizationToken",
  "ecs:DiscoverPollEndpoint",
  "ecs:CreateCluster",
  "ec2:Describe*",
  "sts:GetCallerIdentity",
  "cloudwatch:PutMetricData",
  "xray:PutTraceSegments",
  "xray:PutTelemetryRecords",
  "xray:GetSamplingRules",
  "xray:GetSamplingTargets",
  "ssmmessages:CreateControlChannel",
  "ssmmessages:CreateDataChannel",
  "ssmmessages:OpenControlChannel",
  "ssmmessages:OpenDataChannel",
  "logs:DescribeLogGroups",
];

function isResourcelessAction(action: string): boolean {
  const lower = action.toLowerCase();
  return RESOURCELESS_ACTIONS.some((allowed) => {
    const pattern = allowed.toLowerCase();
    return pattern.endsWith("*") ? lower.startsWith(pattern.slice(0, -1)) && !lower.slice(pattern.length - 1).includes("*") : lower === pattern;
  });
}

const IDENTITY_POLICY_TYPES = ["aws_iam_role_policy", "aws_iam_policy", "aws_iam_user_policy", "aws_iam_group_policy"];

/** Identity-based policies (what a principal may do). KMS key policies are resource policies and are not included. */
function identityPolicies(stack: StackView): PolicyDocumentSource[] {
  const sources: PolicyDocumentSource[] = IDENTITY_POLICY_TYPES.flatMap((type) =>
    stack.resources(type).map((owner) => ({ owner, attribute: "policy", text: owner.block.policy as unknown })),
  );
  for (const role of stack.resources("aws_iam_role")) {
    blocks(role.block.inline_policy).forEach((inline, index) => {
      sources.push({ owner: role, attribute: `inline_policy[${index}].policy`, text: inline.policy });
    });
  }
  return sources;
}

export function trustPolicies(stack: StackView): PolicyDocumentSource[] {
  return stack.resources("aws_iam_role").map((owner) => ({ owner, attribute: "assume_role_policy", text: owner.block.assume_role_policy as unknown }));
}

function parsePolicy(stack: StackView, text: unknown): Parsed {
  if (typeof text !== "string") return { unreadable: `is ${JSON.stringify(text ?? null)}, not a policy document` };
  const dataSource = /^\$\{data\.aws_iam_policy_document\.([^.}]+)\.json\}$/.exec(text);
  if (dataSource) {
    const document = stack.document.data?.aws_iam_policy_document?.[dataSource[1]];
    if (!document) return { unreadable: `refers to data.aws_iam_policy_document.${dataSource[1]}, which is not in the stack` };
    return {
      statements: blocks(document.statement).map((s, index) => ({
        effect: String(s.effect ?? "Allow"),
        actions: stringList(s.actions),
        notActions: stringList(s.not_actions),
        resources: stringList(s.resources),
        notResources: stringList(s.not_resources),
        principals: blocks(s.principals).flatMap((p) => stringList(p.identifiers).map((id) => `${String(p.type)}:${id}`)),
        notPrincipals: blocks(s.not_principals).flatMap((p) => stringList(p.identifiers).map((id) => `${String(p.type)}:${id}`)),
        conditions: dataSourceConditions(blocks(s.condition)),
        label: s.sid ? `statement ${s.sid}` : `statement ${index}`,
      })),
    };
  }
  let parsed: { Statement?: unknown } | null;
  try {
    parsed = JSON.parse(text) as { Statement?: unknown } | null;
  } catch {
    return { unreadable: "is a Terraform expression, not a JSON document the gate can inspect" };
  }
  return {
    statements: blocks(parsed?.Statement).map((s, index) => ({
      effect: String(s.Effect),
      actions: stringList(s.Action),
      notActions: stringList(s.NotAction),
      resources: stringList(s.Resource),
      notResources: stringList(s.NotResource),
      principals: principalsOf(s.Principal),
      notPrincipals: principalsOf(s.NotPrincipal),
      conditions: jsonConditions(s.Condition),
      label: s.Sid ? `statement ${String(s.Sid)}` : `statement ${index}`,
    })),
  };
}

function dataSourceConditions(conditions: TerraformBlock[]): Statement["conditions"] {
  const result: Record<string, Record<string, string[]>> = {};
  for (const condition of conditions) {
    const operator = String(condition.test);
    result[operator] = { ...result[operator], [String(condition.variable)]: stringList(condition.values) };
  }
  return result;
}

function jsonConditions(condition: unknown): Statement["conditions"] {
  if (condition === null || typeof condition !== "object") return {};
  return Object.fromEntries(
    Object.entries(condition as Record<string, unknown>).map(([operator, keys]) => [
      operator,
      Object.fromEntries(Object.entries((keys ?? {}) as Record<string, unknown>).map(([key, values]) => [key, stringList(values)])),
    ]),
  );
}

function principalsOf(principal: unknown): string[] {
  if (principal === undefined) return [];
  if (typeof principal === "string") return [`*:${principal}`];
  return Object.entries(principal as Record<string, unknown>).flatMap(([type, ids]) => stringList(ids).map((id) => `${type}:${id}`));
}

/** Runs `inspect` over every readable statement; an unreadable document is itself a finding (the gate fails closed). */
export function inspectPolicies(
  stack: StackView,
  sources: PolicyDocumentSource[],
  inspect: (statement: Statement, source: PolicyDocumentSource) => Finding[],
): Finding[] {
  return sources.flatMap((source) => {
    const parsed = parsePolicy(stack, source.text);
    if ("unreadable" in parsed) {
      return [
        {
          address: source.owner.address,
          message: `${source.attribute} ${parsed.unreadable}`,
          fix: "render the policy as a JSON document (jsonencode of literal statements) so it can be checked",
        },
      ];
    }
    return parsed.statements.flatMap((statement) => inspect(statement, source));
  });
}

const isServiceWildcard = (action: string) => action === "*" || /^[a-z0-9-]+:\*$/i.test(action);

const iamNoWildcardAction: PolicyRule = {
  id: "iam-no-wildcard-action",
  title: 'IAM policies allow no "*" or "service:*" action',
  checkov: ["CKV_AWS_63", "CKV_AWS_62"],
  trivy: ["AVD-AWS-0057"],
  severity: "high",
  resourceTypes: [...IDENTITY_POLICY_TYPES, "aws_iam_role"],
  check(stack) {
    const sources = identityPolicies(stack);
    if (sources.length === 0) return { notApplicable: "no identity policy" };
    return inspectPolicies(stack, sources, (statement, source) => {
      if (statement.effect !== "Allow") return [];
      const wildcards = statement.actions.filter(isServiceWildcard);
      return [
        ...(wildcards.length === 0
          ? []
          : [
              {
                address: source.owner.address,
                message: `${source.attribute} ${statement.label} allows ${wildcards.map((a) => JSON.stringify(a)).join(", ")}`,
                fix: "list the exact actions the role calls",
              },
            ]),
        ...(statement.notActions.length === 0
          ? []
          : [
              {
                address: source.owner.address,
                message: `${source.attribute} ${statement.label} allows every action except ${statement.notActions.map((a) => JSON.stringify(a)).join(", ")} (NotAction)`,
                fix: "list the exact actions the role calls in Action instead of excluding some with NotAction",
              },
            ]),
      ];
    });
  },
};

const iamNoWildcardResource: PolicyRule = {
  id: "iam-no-wildcard-resource",
  title: 'IAM policies scope resources wherever the action allows it (no "*")',
  checkov: ["CKV_AWS_355"],
  trivy: ["AVD-AWS-0057"],
  severity: "high",
  resourceTypes: [...IDENTITY_POLICY_TYPES, "aws_iam_role"],
  check(stack) {
    const sources = identityPolicies(stack);
    if (sources.length === 0) return { notApplicable: "no identity policy" };
    return inspectPolicies(stack, sources, (statement, source) => {
      if (statement.effect !== "Allow") return [];
      if (statement.notResources.length > 0) {
        return [
          {
            address: source.owner.address,
            message: `${source.attribute} ${statement.label} grants on every resource except ${statement.notResources.map((r) => JSON.stringify(r)).join(", ")} (NotResource)`,
            fix: "name the resource ARNs in Resource instead of excluding some with NotResource",
          },
        ];
      }
      if (!statement.resources.includes("*")) return [];
      const scopable = statement.actions.filter((action) => !isResourcelessAction(action));
      return scopable.length === 0
        ? []
        : [
            {
              address: source.owner.address,
              message: `${source.attribute} ${statement.label} grants ${scopable.join(", ")} on "*"`,
              fix: `name the resource ARNs; only actions without resource-level permissions (${RESOURCELESS_ACTIONS.join(", ")}) may use "*"`,
            },
          ];
    });
  },
};

const ACCOUNT_ROOT = /^arn:[^:]+:iam::[^:]*:root$/;

const iamTrustNoAccountWidePrincipal: PolicyRule = {
  id: "iam-trust-no-account-wide-principal",
  title: "Role trust policies name services or roles, not whole accounts or everyone",
  checkov: ["CKV_AWS_61"],
  trivy: [],
  severity: "high",
  resourceTypes: ["aws_iam_role"],
  check(stack) {
    return inspectPolicies(stack, trustPolicies(stack), (statement, source) => {
      if (statement.effect !== "Allow") return [];
      if (statement.notPrincipals.length > 0) {
        return [
          {
            address: source.owner.address,
            message: `assume_role_policy ${statement.label} trusts every principal except ${statement.notPrincipals.map((p) => p.replace(/^[^:]*:/, "")).join(", ")} (NotPrincipal)`,
            fix: "trust the service principal (e.g. ecs-tasks.amazonaws.com) or the exact role ARNs that need it, in Principal",
          },
        ];
      }
      const wide = statement.principals.filter((principal) => {
        const [type, ...rest] = principal.split(":");
        const id = rest.join(":");
        return id === "*" || (type === "AWS" && (ACCOUNT_ROOT.test(id) || /^\d{12}$/.test(id)));
      });
      return wide.length === 0
        ? []
        : [
            {
              address: source.owner.address,
              message: `assume_role_policy ${statement.label} trusts ${wide.map((p) => p.replace(/^[^:]*:/, "")).join(", ")}: every principal of ${wide.some((p) => p.endsWith(":*")) ? "every account" : "that account"} may assume the role`,
              fix: "trust the service principal (e.g. ecs-tasks.amazonaws.com) or the exact role ARNs that need it",
            },
          ];
    });
  },
};

const separateExecutionAndTaskRoles: PolicyRule = {
  id: "separate-execution-and-task-roles",
  title: "Task definitions use different execution and task roles",
  checkov: ["CKV_AWS_249"],
  trivy: [],
  severity: "medium",
  resourceTypes: ["aws_ecs_task_definition"],
  check(stack) {
    return stack
      .resources("aws_ecs_task_definition")
      .filter((td) => td.block.execution_role_arn !== undefined && td.block.execution_role_arn === td.block.task_role_arn)
      .map((td) => ({
        address: td.address,
        message: `execution_role_arn and task_role_arn are both ${td.block.task_role_arn}: the application can read the registry credentials`,
        fix: "give the application its own task role without the execution role's secret and log permissions",
      }));
  },
};

export const IAM_RULES: readonly PolicyRule[] = [iamNoWildcardAction, iamNoWildcardResource, iamTrustNoAccountWidePrincipal, separateExecutionAndTaskRoles];
