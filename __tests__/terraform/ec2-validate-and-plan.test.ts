import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { buildApp } from "../../src/app";
import type { ConfigInput } from "../../src/config";
import { TerraformWorkdir } from "../../src/terraform/workdir";
import { EmulatedDeployment } from "../../src/emulator/emulated-deployment";
import { renderEcsConfig } from "../../src/ec2/ecs-config";
import { renderUserData } from "../../src/ec2/user-data";
import { configWith, referenceInput } from "../helpers/configs";
import { asString } from "../helpers/synth";

jest.setTimeout(240_000);

const EXISTING_SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:ghcr/orders-XyZ789";
const ec2With = (ec2: NonNullable<ConfigInput["ec2"]>, overrides: Partial<ConfigInput> = {}) =>
  configWith({ launchType: "ec2", ...overrides, ec2: { ...referenceInput().ec2, ...ec2 } });

/** Both auth modes × both network modes; the last also Spot, an existing secret and key, and the ARM64 AMI. */
const EC2_VARIANTS: Record<string, ReturnType<typeof configWith>> = {
  "task auth, awsvpc (the reference app)": ec2With({}),
  "agent-dockercfg, awsvpc, created secret (user data assembled by Terraform)": ec2With({ registryAuth: "agent-dockercfg" }),
  "task auth, bridge": ec2With({ networkMode: "bridge" }),
  "agent-dockercfg, bridge, Spot, existing secret and key, ARM64": ec2With(
    { registryAuth: "agent-dockercfg", networkMode: "bridge", spot: { instanceTypes: ["m7g.large"] } },
    {
      cpuArchitecture: "ARM64",
      credentials: {
        mode: "existing",
        existingSecretArn: EXISTING_SECRET_ARN,
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab",
      },
      encryption: { mode: "aws-managed" },
    },
  ),
};

const scratch = mkdtempSync(path.join(os.tmpdir(), "ghcr-ecs-ec2-validate-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("terraform validate of the EC2 stack", () => {
  it.each(Object.entries(EC2_VARIANTS))("accepts %s", async (label, config) => {
    const outdir = path.join(scratch, label.replace(/[^a-z0-9]+/gi, "-"));
    buildApp(config, { outdir, stateDir: outdir }).synth();
    const terraform = new TerraformWorkdir(path.join(outdir, "stacks", "orders-ec2"));
    await terraform.init({ backend: false });
    const result = JSON.parse((await terraform.validate()).stdout) as { valid: boolean; error_count: number; diagnostics: unknown[] };
    expect(result).toMatchObject({ valid: true, error_count: 0 });
  });
});

describe("terraform plan of the EC2 stack (agent-dockercfg, existing secret) against moto", () => {
  let deployment: EmulatedDeployment;
  let plan: { resource_changes: { type: string; change: { actions: string[]; after: Record<string, unknown> } }[] };

  beforeAll(async () => {
    delete process.env.TF_VAR_registry_token;
    deployment = await EmulatedDeployment.start(
      ec2With({ registryAuth: "agent-dockercfg" }, { credentials: { mode: "existing", existingSecretArn: EXISTING_SECRET_ARN } }),
      { stack: "orders-ec2" },
    );
    const planFile = path.join(deployment.workdir, "ec2.tfplan");
    await deployment.terraform.plan(planFile);
    plan = JSON.parse((await deployment.terraform.showJson(planFile)).stdout) as typeof plan;
  });
  afterAll(() => deployment?.dispose());

  const planned = (type: string) => plan.resource_changes.filter((c) => c.type === type).map((c) => c.change.after);

  it("plans the capacity: launch template, group, capacity provider and its cluster association", () => {
    for (const type of ["aws_launch_template", "aws_autoscaling_group", "aws_ecs_capacity_provider", "aws_ecs_cluster_capacity_providers", "aws_ecs_service"]) {
      expect({ type, count: planned(type).length }).toEqual({ type, count: 1 });
    }
  });

  it("resolves the ECS-optimized AMI from SSM and plans user data byte-identical to the renderer's, passing shellcheck", () => {
    const [template] = planned("aws_launch_template");
    expect(template.image_id).toMatch(/^ami-[0-9a-f]+$/);
    const script = Buffer.from(asString(template.user_data), "base64").toString("utf8");
    expect(script).toBe(
      renderUserData({
        ecsConfig: renderEcsConfig({
          clusterName: "orders-ec2",
          containerStopTimeoutSeconds: 30,
          imagePullBehavior: "once",
          spotInstanceDraining: false,
          extras: { ECS_RESERVED_MEMORY: "256" },
        }),
        region: "us-east-1",
        registryAuth: { mode: "agent-dockercfg", secretArn: EXISTING_SECRET_ARN, registryHost: "ghcr.io" },
      }),
    );
    const shellcheck = spawnSync("shellcheck", ["--shell=bash", "-"], { input: script, encoding: "utf8" });
    expect({ status: shellcheck.status, findings: shellcheck.stdout }).toEqual({ status: 0, findings: "" });
  });
});
