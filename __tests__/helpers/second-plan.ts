import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import type { TerraformBlock } from "../../src/terraform/document";

export interface PlannedChange {
  type: string;
  address: string;
  /** `before`, `after` and `after_unknown` hold the resource's attributes, keyed as in its Terraform arguments. */
  change: { actions: string[]; before: TerraformBlock; after: TerraformBlock; after_unknown?: TerraformBlock; replace_paths?: string[][] };
}

/**
 * Plans the applied deployment again (with the same token) and returns the resource changes that are not no-ops.
 * Output joins `logs`; the plan JSON is kept as second.plan.json for the canary search.
 */
export async function secondPlanChanges(
  deployment: EmulatedDeployment,
  token: string,
  logs: string[],
  moreVariables: Record<string, string> = {},
): Promise<PlannedChange[]> {
  const planFile = path.join(deployment.workdir, "second.tfplan");
  const planned = await deployment.terraform.plan(planFile, { TF_VAR_registry_token: token, ...moreVariables });
  logs.push(planned.stdout, planned.stderr);
  const json = (await deployment.terraform.showJson(planFile)).stdout;
  writeFileSync(path.join(deployment.workdir, "second.plan.json"), json);
  const plan = JSON.parse(json) as { resource_changes: PlannedChange[] };
  return plan.resource_changes.filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"));
}

/** The changed top-level attributes of an update. */
export function changedAttributes(change: PlannedChange["change"]): string[] {
  return Object.keys(change.after).filter((k) => JSON.stringify(change.after[k]) !== JSON.stringify(change.before[k]));
}

/**
 * Fields moto 5.2.1 does not store for a Fargate stack, so a second plan shows them as changes: create_service drops
 * the grace period, managed tags and AZ rebalancing; security group rules that reference another group lose their
 * description. Anything else changing after apply is a real drift bug in our stack.
 */
export const FARGATE_MOTO_DROPPED_FIELDS: Readonly<Record<string, readonly string[]>> = {
  aws_ecs_service: ["enable_ecs_managed_tags", "health_check_grace_period_seconds", "availability_zone_rebalancing"],
  aws_vpc_security_group_ingress_rule: ["description"],
  aws_vpc_security_group_egress_rule: ["description"],
};

/** What a second plan changes beyond the fields moto drops: `<address>.<attribute>`, or `<address>: <actions>` for anything but an update. */
export function driftBeyond(changes: readonly PlannedChange[], dropped: Readonly<Record<string, readonly string[]>>): string[] {
  return changes.flatMap((c) => {
    if (!c.change.actions.every((a) => a === "update")) return [`${c.address}: ${c.change.actions.join("+")}`];
    return changedAttributes(c.change)
      .filter((k) => !(dropped[c.type] ?? []).includes(k))
      .map((k) => `${c.address}.${k}`);
  });
}
