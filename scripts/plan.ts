/**
 * `npm run plan`: `terraform init` + `plan` of every stack `npm run synth` wrote, with the project's CLI config.
 * Shows progress read from Terraform's `-json` output (init, refreshes, planned changes, the plan's counts);
 * `GHCR_ECS_VERBOSE=1` prints Terraform's human output instead.
 */
import * as path from "node:path";
import { synthesizedStacks, TerraformWorkdir } from "../src/terraform/workdir";
import { debugLogProblem } from "../src/terraform/debug-log-guard";
import { ProgressReporter } from "../src/terraform/progress-reporter";

async function main(): Promise<void> {
  const logProblem = debugLogProblem(process.env);
  if (logProblem) throw new Error(`refusing to plan: ${logProblem}`);
  const outdir = path.resolve(process.env.CDKTF_OUTDIR ?? "cdktf.out");
  const stacks = synthesizedStacks(outdir);
  if (stacks.length === 0) throw new Error(`no synthesized stacks under ${outdir}: run npm run synth first`);
  const verbose = process.env.GHCR_ECS_VERBOSE === "1";
  for (const stack of stacks) {
    process.stdout.write(`\n==> ${stack.name}: terraform init + plan\n`);
    const workdir = new TerraformWorkdir(stack.dir, process.env, verbose);
    const terraform = verbose ? workdir : workdir.withProgress(new ProgressReporter(process.stdout, { label: stack.name }));
    await terraform.init();
    await terraform.plan(path.join(stack.dir, "plan.tfplan"));
    process.stdout.write(`plan saved to ${path.relative(process.cwd(), path.join(stack.dir, "plan.tfplan"))}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
