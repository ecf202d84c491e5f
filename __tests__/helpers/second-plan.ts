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
