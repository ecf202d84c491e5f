import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../src/app";
import { TerraformWorkdir } from "../../src/terraform/workdir";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { STACK_VARIANTS, configWith } from "../helpers/configs";
import { parseUiLine, type ChangeCounts } from "../../src/terraform/progress";
import { ProgressReporter } from "../../src/terraform/progress-reporter";

jest.setTimeout(240_000);

const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-validate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("terraform validate", () => {
  it.each(Object.entries(STACK_VARIANTS))("accepts the synthesized stack: %s", async (label, overrides) => {
    const config = configWith(overrides);
    const outdir = path.join(scratch, label.replace(/[^a-z0-9]+/gi, "-"));
    buildApp(config, { outdir, stateDir: outdir }).synth();
    const terraform = new TerraformWorkdir(path.join(outdir, "stacks", config.name));
    await terraform.init({ backend: false });
    const result = JSON.parse((await terraform.validate()).stdout) as { valid: boolean; error_count: number; diagnostics: unknown[] };
    expect(result).toMatchObject({ valid: true, error_count: 0 });
  });
});

describe("terraform plan with no registry token supplied (a pull-request check)", () => {
  let deployment: EmulatedDeployment;
  let planOutput: string;
  let plan: {
    resource_changes: { address: string; type: string; change: { actions: string[]; after: Record<string, unknown> } }[];
    variables: Record<string, { value: unknown }>;
  };

  beforeAll(async () => {
    delete process.env.TF_VAR_registry_token;
    deployment = await EmulatedDeployment.start(configWith({}));
    const planFile = path.join(deployment.workdir, "pr.tfplan");
    planOutput = (await deployment.terraform.plan(planFile)).stdout;
    const json = (await deployment.terraform.showJson(planFile)).stdout;
    writeFileSync(path.join(deployment.workdir, "pr.plan.json"), json);
    plan = JSON.parse(json) as typeof plan;
  });
  afterAll(() => deployment?.dispose());

  it("succeeds and plans the whole stack", () => {
    expect(plan.resource_changes.filter((c) => c.change.actions.includes("create")).length).toBeGreaterThan(30);
  });

  it("warns that the first apply needs the token", () => {
    expect(planOutput).toContain("Check block assertion failed");
    expect(planOutput).toContain("No registry token supplied (TF_VAR_registry_token)");
  });

  it("keeps the write-only value out of the plan and stores the rotation version", () => {
    const version = plan.resource_changes.find((c) => c.type === "aws_secretsmanager_secret_version");
    expect(version?.change.after).toMatchObject({ secret_string_wo_version: 1 });
    expect(version?.change.after.secret_string ?? null).toBeNull();
    expect(version?.change.after.secret_string_wo ?? null).toBeNull();
    expect(plan.variables.registry_token?.value ?? null).toBeNull();
  });

  it("leaves a supplied token out of the plan file and its JSON", async () => {
    const canary = `canary-plan-${Date.now()}-7f3a9c`;
    const planFile = path.join(deployment.workdir, "with-token.tfplan");
    const output = await deployment.terraform.plan(planFile, { TF_VAR_registry_token: canary });
    const json = (await deployment.terraform.showJson(planFile)).stdout;
    expect(output.stdout).not.toContain("Check block assertion failed");
    expect(json).not.toContain(canary);
    expect((JSON.parse(json) as typeof plan).variables.registry_token?.value ?? null).toBeNull();
    expect(readFileSync(planFile).includes(canary)).toBe(false);
    expect(output.stdout + output.stderr).not.toContain(canary);
  });

  it("reports progress from Terraform's -json output: the planned changes, then the plan's own change_summary", async () => {
    const stream = {
      isTTY: false,
      text: "",
      write(text: string) {
        this.text += text;
        return true;
      },
    };
    const reporter = new ProgressReporter(stream, { label: "orders", tickMs: 0 });
    const planFile = path.join(deployment.workdir, "progress.tfplan");
    const result = await deployment.terraform.withProgress(reporter).plan(planFile);
    expect(result.code).toBe(2);
    const summaries = result.stdout
      .split("\n")
      .map(parseUiLine)
      .filter((m) => m?.type === "change_summary");
    expect(summaries).toHaveLength(1);
    const { add, change, remove, import: imported, operation } = summaries[0]?.changes as ChangeCounts & { operation: string };
    expect(operation).toBe("plan");
    expect(reporter.progress?.planSummary).toEqual({ add, change, remove, import: imported });
    expect(add).toBeGreaterThan(30);
    expect(stream.text).toContain(`\norders: ${add} to add, ${change} to change, ${remove} to destroy\n`);
    expect(stream.text.trimEnd().split("\n").pop()).toBe(`orders: ${add} to add, ${change} to change, ${remove} to destroy`);
    expect(stream.text.match(/^ {2}planned create /gm)).toHaveLength(add);
    expect(stream.text).toContain("  planned create aws_lb.load-balancer_alb_15AADC07\n");
    // With -json Terraform prints no human diagnostics, so the reporter must: the check block's warning, in full.
    expect(stream.text).toContain("Warning: Check block assertion failed\n");
    expect(stream.text).toContain("  No registry token supplied (TF_VAR_registry_token).");
    expect(stream.text).not.toContain("{");
  });

  it("reports init finishing from terraform init -json", async () => {
    const stream = {
      isTTY: true,
      text: "",
      write(text: string) {
        this.text += text;
        return true;
      },
    };
    const reporter = new ProgressReporter(stream, { label: "orders", tickMs: 0 });
    await deployment.terraform.withProgress(reporter).init();
    expect(reporter.progress?.initialized).toBe(true);
    expect(stream.text).toContain("\r\x1b[2Kinit orders: ");
    // eslint-disable-next-line no-control-regex -- a terminal gets the erase-line sequence (carriage return, ESC [2K) before the line
    expect(stream.text).toMatch(/\r\x1b\[2Korders: init complete in \d+s\n$/);
  });
});
