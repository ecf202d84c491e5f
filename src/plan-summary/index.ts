import * as path from "node:path";
import { assertPlanJson, PlanJsonError, type PlanJson } from "./plan-json";
import { summarizePlan, type StackSummary } from "./summarize";

export { assertPlanJson, PlanJsonError, type PlanJson, type ResourceChange } from "./plan-json";
export { summarizePlan, securityCategory, type StackSummary, type SummarizedChange, type SummaryAction, type SummaryCounts } from "./summarize";
export { renderMarkdown, renderJson, countsLine, PLAN_COMMENT_MARKER } from "./markdown";

/**
 * The stack a plan JSON file belongs to when `--stack` does not say: the folder after `stacks/` in a cdktf output
 * path (`cdktf.out/stacks/orders/plan.json`), else the file name without `.json` and `.plan`/`.tfplan`
 * (`orders.plan.json` → `orders`).
 */
export function stackNameFromPath(file: string): string {
  const parts = path.resolve(file).split(path.sep);
  const at = parts.lastIndexOf("stacks");
  if (at >= 0 && at < parts.length - 2) return parts[at + 1];
  return path.basename(file).replace(/\.json$/i, "").replace(/\.(tf)?plan$/i, "") || "stack";
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

/** Summaries for several stacks' plans, in the order given. */
export function summarizePlans(plans: readonly { stack: string; plan: PlanJson }[]): StackSummary[] {
  const seen = new Set<string>();
  for (const { stack } of plans) {
    if (seen.has(stack)) throw new Error(`stack "${stack}" given twice; name each plan with --stack`);
    seen.add(stack);
  }
  return plans.map(({ stack, plan }) => summarizePlan(stack, plan));
}
