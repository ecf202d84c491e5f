import * as fs from "node:fs";
import { EXIT, OperationError } from "../../operations/exit-codes";
import { parsePlanJson } from "../../plan-summary/plan-json";
import { renderJson, renderMarkdown } from "../../plan-summary/markdown";
import { stackNameFromPath, summarizePlans } from "../../plan-summary/summarize";
import { defineCommand } from "../command";

export const planSummaryCommand = defineCommand({
  name: "plan-summary",
  summary: "turn `terraform show -json` plans into a Markdown review summary (PR comment, job summary)",
  usage: `ghcr-ecs plan-summary [--stack NAME]... PLAN.json [PLAN.json ...] [--json]

Reads the output of \`terraform show -json <planfile>\` for one or more stacks (- reads stdin) and prints Markdown:
counts to add / change / replace / destroy per stack, the expected rollout time, replacements and deletions first,
security and reliability changes (IAM, security groups and rules, secrets, KMS, listeners, alarms, autoscaling) and every resource change
with the names of the attributes that change. Attribute values are never printed.
  --stack NAME          the stack of each file, in order (repeat once per file); default: the folder after
                        stacks/ in the path, else the file name without .json / .plan
  --title TEXT          heading (default "Terraform plan")
  --json                counts, replacements, deletions and security- and reliability-relevant addresses as JSON`,
  options: { stack: { type: "string", multiple: true }, title: { type: "string" }, json: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  positionals: true,
  async run(flags, { out, stdin, positionals: files }) {
    // Plans hold no token (write-only argument, ephemeral variable); masking it anyway costs nothing.
    for (const name of ["TF_VAR_registry_token", "REGISTRY_TOKEN"]) {
      const value = process.env[name];
      if (value) out.addSecret(value);
    }
    if (files.length === 0)
      throw new OperationError(
        EXIT.usage,
        "plan-summary: no plan JSON file given",
        "terraform show -json plan.tfplan > plan.json && ghcr-ecs plan-summary plan.json",
      );
    const stacks = flags.stack ?? [];
    if (stacks.length > 0 && stacks.length !== files.length) {
      throw new OperationError(
        EXIT.usage,
        `plan-summary: ${stacks.length} --stack for ${files.length} plan files`,
        "Give one --stack per file, in the same order, or none.",
      );
    }
    if (files.filter((f) => f === "-").length > 1) throw new OperationError(EXIT.usage, "plan-summary: stdin (-) given more than once");
    const plans = [];
    for (const [i, file] of files.entries()) {
      // A path is shown in errors; anything that does not look like one might be a pasted token and is not.
      const shown = file === "-" ? "stdin" : /\.json$|\//i.test(file) ? file : "a plan file argument (not shown: it does not look like a path)";
      let text: string;
      try {
        text = file === "-" ? await readAll(stdin) : fs.readFileSync(file, "utf8");
      } catch (error) {
        throw new OperationError(EXIT.usage, `plan-summary: cannot read ${shown}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
      }
      try {
        plans.push({ stack: stacks[i] ?? (file === "-" ? "stack" : stackNameFromPath(file)), plan: parsePlanJson(text, shown) });
      } catch (error) {
        throw new OperationError(EXIT.usage, `plan-summary: ${(error as Error).message}`);
      }
    }
    let summaries;
    try {
      summaries = summarizePlans(plans);
    } catch (error) {
      throw new OperationError(EXIT.usage, `plan-summary: ${(error as Error).message}`);
    }
    if (out.json) out.result(renderJson(summaries));
    else out.line(renderMarkdown(summaries, { title: flags.title }));
    return EXIT.ok;
  },
});

async function readAll(stream: NodeJS.ReadableStream): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(chunks).toString("utf8");
}
