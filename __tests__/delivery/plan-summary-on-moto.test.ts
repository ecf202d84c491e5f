import { readFileSync, writeFileSync } from "node:fs";
import * as path from "node:path";
import { PassThrough } from "node:stream";
import { buildApp } from "../../src/app";
import type { ConfigInput } from "../../src/config";
import { runCli } from "../../src/cli/index";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { describeStackRollout } from "../../src/ecs/rollout-model";
import { parsePlanJson } from "../../src/plan-summary/plan-json";
import { renderMarkdown } from "../../src/plan-summary/markdown";
import { summarizePlan, type StackSummary } from "../../src/plan-summary/summarize";
import type { TerraformBlock, TerraformDocument } from "../../src/terraform/document";
import { configWith, referenceInput } from "../helpers/configs";

jest.setTimeout(600_000);

/**
 * Real plans of the reference app's Fargate stack against moto: a fresh create, then — from one applied state —
 * an in-place change, a replacement and a destroy. One apply (~80 s, the provider's ALB wait) serves all of them.
 */
const canary = `ghp_plancanary${Date.now()}${Math.random().toString(36).slice(2, 10)}`;
const env = { TF_VAR_registry_token: canary };
const SECURITY_TYPE =
  /^(aws_iam_|aws_security_group$|aws_default_security_group$|aws_vpc_security_group_(ingress|egress)_rule$|aws_secretsmanager_|aws_kms_|aws_lb_listener|aws_cloudwatch_metric_alarm$|aws_sns_topic|aws_appautoscaling_)/;
/** What moto 5.2.1 does not store (see __tests__/integration/fargate-on-moto.test.ts): every plan after apply shows them. */
const MOTO_SERVICE_DRIFT = ["availability_zone_rebalancing", "enable_ecs_managed_tags", "health_check_grace_period_seconds"];

let deployment: EmulatedDeployment;
const plans: Record<string, { json: string; summary: StackSummary; markdown: string; file: string }> = {};
/** A synthesized cdk.tf.json; the Fargate stack always has resources. */
type SynthesizedStack = TerraformDocument & { readonly resource: Record<string, Record<string, TerraformBlock>> };
let synthesized: SynthesizedStack;
let synthesizedInPlace: typeof synthesized;
let stateAddresses: string[];

async function planAs(label: string, extraArgs: string[] = []) {
  const planFile = path.join(deployment.workdir, `${label}.tfplan`);
  await deployment.terraform.plan(planFile, env, extraArgs);
  const json = (await deployment.terraform.showJson(planFile)).stdout;
  const file = path.join(deployment.workdir, `${label}.plan.json`);
  writeFileSync(file, json);
  const summary = summarizePlan("orders", parsePlanJson(json, file));
  plans[label] = { json, summary, markdown: renderMarkdown([summary]), file };
  if (process.env.PLAN_SUMMARY_DUMP) writeFileSync(path.join(process.env.PLAN_SUMMARY_DUMP, `${label}.md`), plans[label].markdown);
}

/** Re-synthesizes the stack in place with config changes (the .terraform folder and state stay); returns cdk.tf.json. */
function resynth(overrides: Partial<ConfigInput>): SynthesizedStack {
  buildApp(configWith(overrides), { outdir: deployment.outdir, stateDir: deployment.workdir }).synth();
  return JSON.parse(readFileSync(path.join(deployment.stackDir, "cdk.tf.json"), "utf8")) as SynthesizedStack;
}

const addresses = (summary: StackSummary, action: string) =>
  summary.changes
    .filter((c) => c.action === action)
    .map((c) => c.address)
    .sort();

beforeAll(async () => {
  deployment = await EmulatedDeployment.start(configWith({}));
  synthesized = JSON.parse(readFileSync(path.join(deployment.stackDir, "cdk.tf.json"), "utf8")) as SynthesizedStack;
  await planAs("create");
  await deployment.terraform.apply(env);
  const state = JSON.parse((await deployment.terraform.showJson()).stdout) as { values: { root_module: { resources: { address: string; mode: string }[] } } };
  stateAddresses = state.values.root_module.resources
    .filter((r) => r.mode === "managed")
    .map((r) => r.address)
    .sort();

  synthesizedInPlace = resynth({ desiredCount: 3, logRetentionDays: 60 });
  await planAs("in-place");
  resynth({ containerPort: referenceInput().containerPort! + 1 });
  await planAs("replace");
  resynth({});
  await planAs("destroy", ["-destroy"]);
});
afterAll(async () => {
  await deployment?.dispose();
});

describe("plan summary of a fresh create", () => {
  it("counts one add per resource the stack synthesizes and nothing else", () => {
    const synthesizedAddresses = Object.entries(synthesized.resource)
      .flatMap(([type, blocks]) => Object.keys(blocks).map((name) => `${type}.${name}`))
      .sort();
    expect(addresses(plans.create.summary, "add")).toEqual(synthesizedAddresses);
    expect(plans.create.summary.counts).toEqual({ add: synthesizedAddresses.length, change: 0, replace: 0, destroy: 0 });
    expect(plans.create.markdown).toContain(`**Plan:** ${synthesizedAddresses.length} to add, 0 to change, 0 to replace, 0 to destroy.`);
    expect(plans.create.markdown).not.toContain("Replacements and deletions");
  });

  it("lists exactly the IAM, security group, secret, KMS, listener, alarm and autoscaling resources as security- and reliability-relevant", () => {
    const expected = Object.entries(synthesized.resource)
      .filter(([type]) => SECURITY_TYPE.test(type))
      .flatMap(([type, blocks]) => Object.keys(blocks).map((name) => `${type}.${name}`))
      .sort();
    expect(expected.length).toBeGreaterThan(10);
    expect(
      plans.create.summary.changes
        .filter((c) => c.security)
        .map((c) => c.address)
        .sort(),
    ).toEqual(expected);
    const section = plans.create.markdown.split("#### 🔐 Security and reliability changes")[1].split("\n\n")[1];
    expect(section.split("\n").slice(2).length).toBe(expected.length);
    const version = Object.keys(synthesized.resource.aws_secretsmanager_secret_version)[0];
    expect(section).toContain(`| \`aws_secretsmanager_secret_version.${version}\` | secret | create | — |`);
  });

  it("gives the same rollout estimate as the synthesized stack", () => {
    const fromSynth = describeStackRollout("orders", synthesized);
    expect(fromSynth).toEqual([
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s, deploy failing real traffic rolled back by alarm ≈ 6m 40s (model: docs/rollout-model.md)",
    ]);
    expect(plans.create.summary.rollout).toEqual(fromSynth);
    expect(plans.create.markdown).toContain(`⏱️ ${fromSynth[0]}`);
  });
});

describe("plan summary of an in-place change (desiredCount 2 → 3 under autoscaling, log retention 30 → 60 days)", () => {
  it("moves the scaler's range and the log group in place, leaves the service's count to the scaler, replaces and destroys nothing", () => {
    const { summary } = plans["in-place"];
    expect(summary.counts.replace).toBe(0);
    expect(summary.counts.destroy).toBe(0);
    expect(summary.counts.add).toBe(0);
    const service = summary.changes.find((c) => c.type === "aws_ecs_service");
    expect(service).toMatchObject({ action: "change", attributes: [...MOTO_SERVICE_DRIFT].sort() });
    const target = summary.changes.find((c) => c.type === "aws_appautoscaling_target");
    expect(target).toMatchObject({ action: "change", attributes: ["max_capacity", "min_capacity"] });
    const logs = summary.changes.find((c) => c.type === "aws_cloudwatch_log_group");
    expect(logs).toMatchObject({ action: "change", attributes: ["retention_in_days"], sensitiveAttributes: [] });
  });

  it("renders the changed attribute names, and the rollout estimate of the count the service runs now (2 tasks)", () => {
    const { markdown, summary } = plans["in-place"];
    const logs = summary.changes.find((c) => c.type === "aws_cloudwatch_log_group")!;
    expect(markdown).toContain(`| \`${logs.address}\` | update in place | \`retention_in_days\` |`);
    // Terraform leaves desired_count to the scaler, so the plan keeps 2; the synthesized stack's first-deploy count is 3.
    expect(describeStackRollout("orders", synthesizedInPlace)).toEqual([
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 2m 15s, deploy failing real traffic rolled back by alarm ≈ 6m 40s (model: docs/rollout-model.md)",
    ]);
    expect(summary.rollout).toEqual([
      "orders: rolling deploy ≈ 1m 35s, failed deploy rolled back ≈ 4m 30s, deploy failing real traffic rolled back by alarm ≈ 6m 40s (model: docs/rollout-model.md)",
    ]);
  });
});

describe("plan summary of a replacement (container port + 1)", () => {
  it("calls out the target group and task definition replacements first, with the attributes forcing them", () => {
    const { summary, markdown } = plans.replace;
    const replaced = summary.changes.filter((c) => c.action === "replace");
    expect(replaced.map((c) => c.type).sort()).toEqual(expect.arrayContaining(["aws_ecs_task_definition", "aws_lb_target_group"]));
    expect(summary.changes.slice(0, replaced.length).every((c) => c.action === "replace")).toBe(true);
    // The group's name carries the port (`orders-8098`), so both force it; it is created before the old one goes.
    expect(replaced.find((c) => c.type === "aws_lb_target_group")).toMatchObject({ attributes: ["name", "port"], replaceOrder: "create-then-delete" });
    expect(replaced.find((c) => c.type === "aws_ecs_task_definition")?.attributes).toEqual(["container_definitions"]);
    expect(summary.counts.replace).toBe(replaced.length);
    const dangerIndex = markdown.indexOf("#### ⚠️ Replacements and deletions");
    expect(dangerIndex).toBeGreaterThan(0);
    expect(dangerIndex).toBeLessThan(markdown.indexOf("#### 🔐 Security and reliability changes"));
    expect(markdown.indexOf(replaced[0].address)).toBeGreaterThan(dangerIndex);
    expect(markdown).toContain("| replace (create new, then destroy old) | forced by `name`, `port`; `replace_because_cannot_update` |");
    expect(markdown).toContain("| replace (destroy, then create) | forced by `container_definitions`; `replace_because_cannot_update` |");
  });

  it("updates the service, the listener, the container-port rules and the target group's alarms in place, and flags all but the service", () => {
    const { summary } = plans.replace;
    expect(summary.counts).toEqual({ add: 0, change: 7, replace: 2, destroy: 0 });
    const changed = summary.changes.filter((c) => c.action === "change");
    // The new target group has a new ARN suffix, which names it in the alarms on it.
    expect(
      changed.filter((c) => c.type === "aws_cloudwatch_metric_alarm").map((c) => [c.address.replace(/_[0-9A-F]{8}$/, ""), c.attributes, c.security]),
    ).toEqual([
      ["aws_cloudwatch_metric_alarm.alarms_p99-response-time", ["dimensions"], "alarm"],
      ["aws_cloudwatch_metric_alarm.alarms_target-5xx", ["metric_query"], "alarm"],
      ["aws_cloudwatch_metric_alarm.alarms_unhealthy-targets", ["dimensions"], "alarm"],
    ]);
    const updated = Object.fromEntries(
      changed.filter((c) => c.type !== "aws_cloudwatch_metric_alarm").map((c) => [c.type, { attributes: c.attributes, security: c.security }]),
    );
    expect(updated).toEqual({
      aws_ecs_service: { attributes: [...MOTO_SERVICE_DRIFT, "load_balancer", "task_definition"].sort(), security: undefined },
      aws_lb_listener: { attributes: ["default_action"], security: "listener" },
      // description: moto drops it on rules that reference another group
      aws_vpc_security_group_egress_rule: { attributes: ["description", "from_port", "to_port"], security: "network access" },
      aws_vpc_security_group_ingress_rule: { attributes: ["description", "from_port", "to_port"], security: "network access" },
    });
  });
});

describe("plan summary of a destroy", () => {
  it("destroys every managed resource in the state and has no rollout estimate", () => {
    const { summary, markdown } = plans.destroy;
    expect(addresses(summary, "destroy")).toEqual(stateAddresses);
    expect(summary.counts).toEqual({ add: 0, change: 0, replace: 0, destroy: stateAddresses.length });
    expect(summary.rollout).toEqual([]);
    expect(markdown).toContain(`**Plan:** 0 to add, 0 to change, 0 to replace, ${stateAddresses.length} to destroy.`);
    expect(markdown).not.toContain("⏱️");
  });
});

describe("the CLI over the four real plans", () => {
  it("prints one Markdown document with a totals row per plan, and never the canary token", async () => {
    const stdout = new PassThrough();
    const stderr = new PassThrough();
    let out = "";
    let err = "";
    stdout.on("data", (c) => (out += c));
    stderr.on("data", (c) => (err += c));
    const labels = ["create", "in-place", "replace", "destroy"];
    const code = await runCli(["plan-summary", ...labels.flatMap((l) => ["--stack", l]), ...labels.map((l) => plans[l].file)], {
      stdout,
      stderr,
      stdin: new PassThrough(),
    });
    expect(err).toBe("");
    expect(code).toBe(0);
    for (const label of labels) {
      const { add, change, replace, destroy } = plans[label].summary.counts;
      expect(out).toContain(`| \`${label}\` | ${add} | ${change} | ${replace} | ${destroy} |`);
    }
    for (const label of labels) expect(plans[label].json).not.toContain(canary);
    expect(out).not.toContain(canary);
    expect(out).not.toContain(Buffer.from(canary).toString("base64"));
  });
});
