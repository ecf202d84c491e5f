import { writeFileSync } from "node:fs";
import * as path from "node:path";
import type { EmulatedDeployment } from "../../src/emulator/emulated-deployment";

export interface PlannedChange {
  type: string;
  address: string;
  change: { actions: string[]; before: Record<string, any>; after: Record<string, any>; after_unknown?: Record<string, any>; replace_paths?: string[][] };
}

/**
 * Plans the applied deployment again (with the same token) and returns the resource changes that are not no-ops.
 * Output joins `logs`; the plan JSON is kept as second.plan.json for the canary search.
 */
export async function secondPlanChanges(deployment: EmulatedDeployment, token: string, logs: string[]): Promise<PlannedChange[]> {
  const planFile = path.join(deployment.workdir, "second.tfplan");
  const planned = await deployment.terraform.plan(planFile, { TF_VAR_registry_token: token });
  logs.push(planned.stdout, planned.stderr);
  const json = (await deployment.terraform.showJson(planFile)).stdout;
  writeFileSync(path.join(deployment.workdir, "second.plan.json"), json);
  return (JSON.parse(json).resource_changes as PlannedChange[]).filter((c) => !c.change.actions.every((a) => a === "no-op" || a === "read"));
}

/** The changed top-level attributes of an update. */
export function changedAttributes(change: PlannedChange["change"]): string[] {
  return Object.keys(change.after).filter((k) => JSON.stringify(change.after[k]) !== JSON.stringify(change.before[k]));
}
