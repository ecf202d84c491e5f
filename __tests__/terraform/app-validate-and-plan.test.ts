/**
 * The example app (config/example-app.json: three services, staging and prod) through Terraform: both stacks pass
 * `terraform validate`, and the staging stack plans against moto without a token (a pull-request check's plan).
 */
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../src/app";
import { loadConfigFile } from "../../src/config/load";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { TerraformWorkdir } from "../../src/terraform/workdir";

jest.setTimeout(300_000);

const EXAMPLE_APP = path.join(__dirname, "..", "..", "config", "example-app.json");
const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-app-validate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface PlannedChange {
  type: string;
  address: string;
  change: { actions: string[]; after: Record<string, unknown> };
}

describe("terraform validate of the example app", () => {
  it.each(["shop-staging", "shop-prod"])("accepts %s", async (stack) => {
    const outdir = path.join(scratch, "validate");
    buildApp(loadConfigFile(EXAMPLE_APP), { outdir, stateDir: outdir }).synth();
    const terraform = new TerraformWorkdir(path.join(outdir, "stacks", stack));
    await terraform.init({ backend: false });
    const result = JSON.parse((await terraform.validate()).stdout) as { valid: boolean; error_count: number };
    expect(result).toMatchObject({ valid: true, error_count: 0 });
  });
});

describe("terraform plan of the example app's staging stack against moto", () => {
  let deployment: EmulatedDeployment;
  let changes: PlannedChange[];

  beforeAll(async () => {
    delete process.env.TF_VAR_registry_token;
    deployment = await EmulatedDeployment.start(loadConfigFile(EXAMPLE_APP), { stack: "shop-staging" });
    const planFile = path.join(deployment.workdir, "staging.tfplan");
    await deployment.terraform.plan(planFile);
    changes = (JSON.parse((await deployment.terraform.showJson(planFile)).stdout) as { resource_changes: PlannedChange[] }).resource_changes;
  });
  afterAll(async () => {
    await deployment?.dispose();
  });

  const created = (type: string) => changes.filter((c) => c.type === type && c.change.actions.join() === "create");

  it("creates three services in one cluster, with one target group and one listener rule for the routed api", () => {
    expect(created("aws_ecs_service").map((c) => c.change.after.name)).toEqual(expect.arrayContaining(["web", "api", "worker"]) as unknown);
    expect(created("aws_ecs_cluster").map((c) => c.change.after.name)).toEqual(["shop-staging"]);
    expect(
      created("aws_lb_target_group")
        .map((c) => c.change.after.name)
        .sort(),
    ).toEqual(["shop-staging-api-8081", "shop-staging-web-8080"]);
    expect(created("aws_lb_listener_rule").map((c) => [c.change.after.priority, c.change.after.condition])).toEqual([
      [10, [expect.objectContaining({ path_pattern: [{ values: ["/api/*"] }] })]],
    ]);
  });

  it("creates one secret for the credential the three services share, and one execution role per service", () => {
    expect(created("aws_secretsmanager_secret").map((c) => c.change.after.name)).toEqual(["shop-staging/registry-credentials"]);
    expect(
      created("aws_iam_role")
        .map((c) => c.change.after.name)
        .filter((n) => String(n).endsWith("-execution"))
        .sort(),
    ).toEqual(["shop-staging-api-execution", "shop-staging-web-execution", "shop-staging-worker-execution"]);
  });

  it("runs one task of each service in staging, and plans no secret value without a token", () => {
    expect(created("aws_ecs_service").map((c) => c.change.after.desired_count)).toEqual([1, 1, 1]);
    const [value] = created("aws_secretsmanager_secret_version");
    expect(value.change.after.secret_string_wo ?? null).toBeNull();
    expect(value.change.after.secret_string ?? null).toBeNull();
  });
});
