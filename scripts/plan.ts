/**
 * `npm run plan`: `terraform init` + `plan` of every stack `npm run synth` wrote, with the project's CLI config,
 * `GHCR_ECS_PLAN_CONCURRENCY` stacks at once (default 3). Shows progress read from Terraform's `-json` output;
 * `GHCR_ECS_VERBOSE=1` prints Terraform's human output instead, one stack at a time.
 */
import * as path from "node:path";
import { debugLogProblem } from "../src/terraform/debug-log-guard";
import { planConcurrency, planStacks } from "../src/terraform/plan-stacks";
import { synthesizedStacks } from "../src/terraform/workdir";

async function main(): Promise<number> {
  const logProblem = debugLogProblem(process.env);
  if (logProblem) throw new Error(`refusing to plan: ${logProblem}`);
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const stacks = synthesizedStacks(outdir);
  if (stacks.length === 0) throw new Error(`no synthesized stacks under ${outdir}: run npm run synth first`);
  const plans = await planStacks(stacks, {
    stream: process.stdout,
    concurrency: planConcurrency(process.env, stacks.length),
    verbose: process.env.GHCR_ECS_VERBOSE === "1",
  });
  const failed = plans.filter((plan) => plan.error);
  for (const plan of failed) process.stderr.write(`${plan.stack}: ${plan.error?.message}\n`);
  if (failed.length > 0) process.stderr.write(`${failed.length} of ${plans.length} stacks failed to plan\n`);
  return failed.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
