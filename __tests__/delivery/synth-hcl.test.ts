import { spawnSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../src/app";
import { startMoto, type MotoServer } from "../../src/emulator/moto-server";
import { run } from "../../src/terraform/run";
import { TerraformWorkdir } from "../../src/terraform/workdir";
import { configWith, REFERENCE_CONFIG_FILE } from "../helpers/configs";

jest.setTimeout(300_000);

// The compiled script, as `npm run synth:hcl` runs it (`npm test` builds before jest).
const SCRIPT = path.join(__dirname, "..", "..", "dist", "scripts", "synth-hcl.js");
const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-synth-hcl-"));
const hclOut = path.join(scratch, "hcl");
let script: ReturnType<typeof spawnSync>;

beforeAll(() => {
  if (!existsSync(SCRIPT)) throw new Error(`${SCRIPT} is missing: run npm run build first`);
  // cwd = scratch: the local backend's default state file lands there, not in the repository.
  script = spawnSync(process.execPath, [SCRIPT, "--outdir", hclOut], {
    cwd: scratch,
    env: { ...process.env, GHCR_ECS_CONFIG: REFERENCE_CONFIG_FILE },
    encoding: "utf8",
    timeout: 120_000,
  });
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh folder holding only `file` (as main.tf / cdk.tf), so no JSON sits next to the HCL. */
function alone(file: string, label: string): string {
  const dir = path.join(scratch, label);
  mkdirSync(dir);
  copyFileSync(file, path.join(dir, path.basename(file)));
  return dir;
}

describe("node dist/scripts/synth-hcl.js", () => {
  it("writes main.tf for each stack of the config", () => {
    expect(script.stderr).toBe("");
    expect(script.status).toBe(0);
    expect(script.stdout).toBe(`orders: ${hclOut}/stacks/orders/main.tf\norders-ec2: ${hclOut}/stacks/orders-ec2/main.tf\n`);
  });

  it.each(["orders", "orders-ec2"])("%s: terraform validate accepts the HCL on its own", async (stack) => {
    const hcl = readFileSync(path.join(hclOut, "stacks", stack, "main.tf"), "utf8");
    expect(hcl).toContain('  required_version = ">= 1.11.0"');
    expect(hcl).toContain('variable "registry_token" {');
    expect(hcl).toContain("  type = string\n");
    const terraform = new TerraformWorkdir(alone(path.join(hclOut, "stacks", stack, "main.tf"), `validate-${stack}`));
    await terraform.init({ backend: false });
    expect(JSON.parse((await terraform.validate()).stdout)).toMatchObject({ valid: true, error_count: 0, warning_count: 0 });
  });

  it("exits 2 with the config error for a bad config, writing nothing", () => {
    const bad = path.join(scratch, "bad.json");
    writeFileSync(bad, JSON.stringify({ name: "X" }));
    const out = path.join(scratch, "bad-out");
    const result = spawnSync(process.execPath, [SCRIPT, "--outdir", out], { cwd: scratch, env: { ...process.env, GHCR_ECS_CONFIG: bad }, encoding: "utf8" });
    expect(result.status).toBe(2);
    expect(result.stderr).toMatch(/^Invalid configuration in .*bad\.json:\n {2}- name: got "X"; must be 2-24 lowercase letters/);
    expect(existsSync(out)).toBe(false);
  });
});

describe("the HCL means the same as the synthesized JSON", () => {
  let moto: MotoServer;
  beforeAll(async () => {
    moto = await startMoto();
  });
  afterAll(() => moto?.stop());

  async function plannedValues(dir: string) {
    const terraform = new TerraformWorkdir(dir, { ...process.env, ...moto.awsEnv("us-east-1"), TF_VAR_registry_token: "" });
    await terraform.init();
    await terraform.plan(path.join(dir, "tfplan"));
    const plan = JSON.parse((await terraform.showJson(path.join(dir, "tfplan"))).stdout) as {
      planned_values: { root_module: { resources: { address: string; values: unknown }[] }; outputs: Record<string, unknown> };
      resource_changes: { address: string; change: { actions: string[] } }[];
    };
    return {
      resources: plan.planned_values.root_module.resources.map((r) => ({ address: r.address, values: r.values })),
      outputs: plan.planned_values.outputs,
      actions: plan.resource_changes.map((c) => [c.address, c.change.actions.join(",")]),
    };
  }

  it("orders: terraform plans identical values from main.tf and from cdk.tf.json", async () => {
    const jsonOut = path.join(scratch, "json");
    buildApp(configWith({}), { outdir: jsonOut, stateDir: path.join(scratch, "json-state") }).synth();
    const fromJson = await plannedValues(alone(path.join(jsonOut, "stacks", "orders", "cdk.tf.json"), "plan-json"));
    const fromHcl = await plannedValues(alone(path.join(hclOut, "stacks", "orders", "main.tf"), "plan-hcl"));
    expect(fromJson.resources.length).toBeGreaterThan(30);
    expect(fromHcl).toEqual(fromJson);
  });
});

describe("why not cdktf synth --hcl", () => {
  it("cdktf 0.21's own HCL renderer writes HCL that terraform rejects (if this starts passing, it can replace ours)", async () => {
    const out = path.join(scratch, "cdktf-hcl");
    const previous = process.env.SYNTH_HCL_OUTPUT;
    process.env.SYNTH_HCL_OUTPUT = "true";
    try {
      buildApp(configWith({}), { outdir: out, stateDir: scratch }).synth();
    } finally {
      if (previous === undefined) delete process.env.SYNTH_HCL_OUTPUT;
      else process.env.SYNTH_HCL_OUTPUT = previous;
    }
    const dir = alone(path.join(out, "stacks", "orders", "cdk.tf"), "cdktf-hcl-orders");
    const init = await run("terraform", ["init", "-backend=false", "-no-color"], { cwd: dir, env: new TerraformWorkdir(dir).env, timeoutMs: 120_000 });
    expect(init.code).toBe(1);
    expect(init.stderr).toContain('0 = "required_version"');
    expect(init.stderr).toContain("Invalid character");
  });
});
