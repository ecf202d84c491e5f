/**
 * The parts of Terraform's machine-readable plan (`terraform show -json <planfile>`, format 1.x) the summary reads.
 * https://developer.hashicorp.com/terraform/internals/json-format
 */

export type PlanAction = "no-op" | "create" | "read" | "update" | "delete" | "forget";

export interface PlanChange {
  readonly actions: readonly PlanAction[];
  readonly before?: unknown;
  readonly after?: unknown;
  readonly after_unknown?: unknown;
  readonly before_sensitive?: unknown;
  readonly after_sensitive?: unknown;
  /** Attribute paths that force the replacement (only for replacements). */
  readonly replace_paths?: readonly (readonly (string | number)[])[];
}

export interface ResourceChange {
  readonly address: string;
  readonly module_address?: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly index?: string | number;
  /** Set for a deposed object (a create-before-destroy leftover). */
  readonly deposed?: string;
  readonly change: PlanChange;
  readonly action_reason?: string;
}

export interface PlannedResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly values?: Record<string, unknown>;
}

export interface ConfigResource {
  readonly address: string;
  readonly mode: "managed" | "data";
  readonly type: string;
  readonly name: string;
  readonly expressions?: Record<string, unknown>;
}

export interface PlanJson {
  readonly format_version?: string;
  readonly terraform_version?: string;
  readonly resource_changes?: readonly ResourceChange[];
  readonly planned_values?: { readonly root_module?: { readonly resources?: readonly PlannedResource[] } };
  readonly configuration?: { readonly root_module?: { readonly resources?: readonly ConfigResource[] } };
  /** Terraform ≥ 1.6 writes a plan file even when planning failed part-way, with `errored: true`. */
  readonly errored?: boolean;
}

/** Throws unless `value` has the shape of `terraform show -json <planfile>` output. */
function assertPlanJson(value: unknown, source: string): asserts value is PlanJson {
  if (!value || typeof value !== "object" || Array.isArray(value)) throw new PlanJsonError(source, "is not a JSON object");
  const plan = value as Record<string, unknown>;
  if (typeof plan.format_version !== "string") {
    throw new PlanJsonError(source, "has no format_version: it is not the output of `terraform show -json <planfile>`");
  }
  if (!/^1\./.test(plan.format_version)) throw new PlanJsonError(source, `has format_version ${JSON.stringify(plan.format_version)}; only 1.x is understood`);
  if ("values" in plan && !("planned_values" in plan) && !("resource_changes" in plan)) {
    throw new PlanJsonError(source, "is a state (`terraform show -json` without a plan file), not a plan");
  }
  if (plan.resource_changes !== undefined && !Array.isArray(plan.resource_changes))
    throw new PlanJsonError(source, "has a resource_changes that is not an array");
  for (const [i, change] of ((plan.resource_changes as unknown[]) ?? []).entries()) {
    const c = change as Partial<ResourceChange> | null;
    if (!c || typeof c.address !== "string" || typeof c.type !== "string" || !c.change || !Array.isArray(c.change.actions)) {
      throw new PlanJsonError(source, `has a malformed resource_changes[${i}] (needs address, type and change.actions)`);
    }
  }
}

class PlanJsonError extends Error {
  constructor(
    readonly source: string,
    problem: string,
  ) {
    super(`${source} ${problem}`);
    this.name = "PlanJsonError";
  }
}

/** Parses and checks one plan JSON text; `source` names it in errors. */
export function parsePlanJson(text: string, source: string): PlanJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new PlanJsonError(source, `is not valid JSON (${(error as Error).message}); pass the output of \`terraform show -json <planfile>\``);
  }
  assertPlanJson(value, source);
  return value;
}
