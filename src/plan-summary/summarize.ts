import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { describeStackRollout } from "../ecs/rollout-model";
import type { PlanJson, ResourceChange } from "./plan-json";

/**
 * What a change does, in exclusive categories: a replacement is counted as `replace` only (Terraform's own
 * "Plan:" line counts it as one add plus one destroy).
 */
export type SummaryAction = "add" | "change" | "replace" | "destroy" | "forget";

export interface SummaryCounts {
  readonly add: number;
  readonly change: number;
  readonly replace: number;
  readonly destroy: number;
}

/** What a reviewer looks at twice: who may do what, what may reach what, and what keeps the service up and watched. */
export type SecurityCategory = "IAM" | "network access" | "secret" | "KMS" | "listener" | "alarm" | "alarm topic" | "autoscaling";

export interface SummarizedChange {
  readonly address: string;
  readonly type: string;
  readonly action: SummaryAction;
  /** `delete-then-create` (Terraform's default) or `create-then-delete` (create_before_destroy). */
  readonly replaceOrder?: "delete-then-create" | "create-then-delete";
  /**
   * Updates: the top-level attributes whose value changes or becomes known only after apply. Replacements: the
   * top-level attributes that force it. Names only, never values.
   */
  readonly attributes: readonly string[];
  /** Of `attributes`, those Terraform flags as sensitive before or after. */
  readonly sensitiveAttributes: readonly string[];
  /** Terraform's `action_reason`, e.g. `replace_because_cannot_update`, `delete_because_no_resource_config`. */
  readonly reason?: string;
  readonly security?: SecurityCategory;
}

export interface StackSummary {
  readonly stack: string;
  readonly counts: SummaryCounts;
  /** Every managed-resource change except no-ops and reads, replacements and deletions first, then by address. */
  readonly changes: readonly SummarizedChange[];
  /** `describeStackRollout` lines for the services the plan leaves in place (none for a destroy). */
  readonly rollout: readonly string[];
  /** The plan file records that planning failed part-way; the changes listed are incomplete. */
  readonly errored: boolean;
  readonly terraformVersion?: string;
}

/** Which resource types a reviewer must look at twice, and under which heading. */
export function securityCategory(type: string): SecurityCategory | undefined {
  if (type.startsWith("aws_iam_")) return "IAM";
  if (
    type === "aws_security_group" ||
    type === "aws_default_security_group" ||
    type === "aws_security_group_rule" ||
    /^aws_vpc_security_group_(ingress|egress)_rule$/.test(type)
  ) {
    return "network access";
  }
  if (type.startsWith("aws_secretsmanager_")) return "secret";
  if (type.startsWith("aws_kms_")) return "KMS";
  if (/^aws_(lb|alb)_listener/.test(type)) return "listener";
  if (type === "aws_cloudwatch_metric_alarm") return "alarm";
  if (type.startsWith("aws_sns_topic")) return "alarm topic";
  if (type.startsWith("aws_appautoscaling_")) return "autoscaling";
  return undefined;
}

function classify(actions: readonly string[]): { action: SummaryAction; replaceOrder?: SummarizedChange["replaceOrder"] } | undefined {
  const key = actions.join(",");
  switch (key) {
    case "create":
      return { action: "add" };
    case "update":
      return { action: "change" };
    case "delete":
      return { action: "destroy" };
    case "delete,create":
      return { action: "replace", replaceOrder: "delete-then-create" };
    case "create,delete":
      return { action: "replace", replaceOrder: "create-then-delete" };
    case "forget":
      return { action: "forget" };
    case "no-op":
    case "read":
    case "":
      return undefined;
    default:
      throw new Error(`unknown plan actions [${actions.join(", ")}]`);
  }
}

/** True when a sensitivity or unknown marker (`true`, or a structure holding `true` anywhere) covers the value. */
function marked(marker: unknown): boolean {
  if (marker === true) return true;
  if (Array.isArray(marker)) return marker.some(marked);
  if (marker && typeof marker === "object") return Object.values(marker).some(marked);
  return false;
}

function record(value: unknown): Record<string, unknown> {
  return value && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function changedAttributes(change: ResourceChange["change"]): string[] {
  const before = record(change.before);
  const after = record(change.after);
  const unknown = record(change.after_unknown);
  const keys = new Set([...Object.keys(before), ...Object.keys(after), ...Object.keys(unknown)]);
  return [...keys].filter((key) => marked(unknown[key]) || !isDeepStrictEqual(before[key] ?? null, after[key] ?? null)).sort();
}

function replacingAttributes(change: ResourceChange["change"]): string[] {
  const names = (change.replace_paths ?? []).map((p) => p[0]).filter((p): p is string => typeof p === "string");
  return [...new Set(names)].sort();
}

function sensitiveAmong(attributes: readonly string[], change: ResourceChange["change"]): string[] {
  const before = record(change.before_sensitive);
  const after = record(change.after_sensitive);
  return attributes.filter((name) => marked(before[name]) || marked(after[name]));
}

const ORDER: Record<SummaryAction, number> = { replace: 0, destroy: 1, forget: 2, change: 3, add: 4 };

/** Summarizes one stack's plan. Pure: reads nothing but `plan`, and keeps no attribute values. */
export function summarizePlan(stack: string, plan: PlanJson): StackSummary {
  const changes: SummarizedChange[] = [];
  for (const rc of plan.resource_changes ?? []) {
    if (rc.mode !== "managed") continue;
    const kind = classify(rc.change.actions);
    if (!kind) continue;
    const attributes = kind.action === "change" ? changedAttributes(rc.change) : kind.action === "replace" ? replacingAttributes(rc.change) : [];
    const security = securityCategory(rc.type);
    changes.push({
      address: rc.deposed ? `${rc.address} (deposed ${rc.deposed})` : rc.address,
      type: rc.type,
      ...kind,
      attributes,
      sensitiveAttributes: sensitiveAmong(attributes, rc.change),
      ...(rc.action_reason ? { reason: rc.action_reason } : {}),
      ...(security ? { security } : {}),
    });
  }
  changes.sort((a, b) => ORDER[a.action] - ORDER[b.action] || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  const count = (action: SummaryAction) => changes.filter((c) => c.action === action).length;
  return {
    stack,
    counts: { add: count("add"), change: count("change"), replace: count("replace"), destroy: count("destroy") },
    changes,
    rollout: rolloutLines(stack, plan),
    errored: plan.errored === true,
    ...(plan.terraform_version ? { terraformVersion: plan.terraform_version } : {}),
  };
}

/**
 * The rollout-time model needs the service, its target group and its alarms as synthesized; the plan has their planned values
 * and, in `configuration`, which target group the service's `load_balancer` references.
 */
function rolloutLines(stack: string, plan: PlanJson): string[] {
  const planned = (plan.planned_values?.root_module?.resources ?? []).filter((r) => r.mode === "managed");
  const services = planned.filter((r) => r.type === "aws_ecs_service");
  if (services.length === 0) return [];
  const configured = new Map((plan.configuration?.root_module?.resources ?? []).map((r) => [r.address, r]));
  const resource: Record<string, Record<string, Record<string, unknown>>> = { aws_ecs_service: {}, aws_lb_target_group: {}, aws_cloudwatch_metric_alarm: {} };
  for (const tg of planned.filter((r) => r.type === "aws_lb_target_group")) resource.aws_lb_target_group[tg.name] = { ...tg.values };
  // Deployment alarms: the service's `alarms` names them, their windows set how long a bad deploy takes to roll back.
  for (const alarm of planned.filter((r) => r.type === "aws_cloudwatch_metric_alarm")) resource.aws_cloudwatch_metric_alarm[alarm.name] = { ...alarm.values };
  for (const service of services) {
    const loadBalancers = record(configured.get(service.address)?.expressions).load_balancer;
    const first = Array.isArray(loadBalancers) ? record(loadBalancers[0]) : {};
    const references = record(first.target_group_arn).references;
    const target = Array.isArray(references) ? references.map(String).find((r) => /^aws_lb_target_group\.[^.]+\.arn$/.test(r)) : undefined;
    resource.aws_ecs_service[service.name] = {
      ...service.values,
      load_balancer: target ? [{ target_group_arn: `\${${target}}` }] : [],
    };
  }
  return describeStackRollout(stack, { resource });
}

/** Summaries for several stacks' plans, in the order given. */
export function summarizePlans(plans: readonly { stack: string; plan: PlanJson }[]): StackSummary[] {
  const seen = new Set<string>();
  for (const { stack } of plans) {
    if (seen.has(stack)) throw new Error(`stack "${stack}" given twice; name each plan with --stack`);
    seen.add(stack);
  }
  return plans.map(({ stack, plan }) => summarizePlan(stack, plan));
}

/**
 * The stack a plan JSON file belongs to when `--stack` does not say: the folder after `stacks/` in a cdktf output
 * path (`cdktf.out/stacks/orders/plan.json`), else the file name without `.json` and `.plan`/`.tfplan`
 * (`orders.plan.json` → `orders`).
 */
export function stackNameFromPath(file: string): string {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf("stacks");
  if (at >= 0 && at < parts.length - 2) return parts[at + 1];
  return (
    path
      .basename(file)
      .replace(/\.json$/i, "")
      .replace(/\.(tf)?plan$/i, "") || "stack"
  );
}
